// Webhooks: deliveries per second from a committed event to a local receiver (through the outbox
// relay, the events queue, fan-out and the webhooks queue, in a real workers process), with the
// latency of each, next to raw BullMQ add+process measured in the same run.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { createLogger, createOrm, createRedis, loadConfig, recordEvent, SYSTEM_ACTOR, uuidv7, type MikroORM } from '@plinto/kernel';
import { operatorContext, undeclaredEvent } from '@plinto/kernel/testing/context';
import { platformSchema } from '@plinto/api';
import { createTenant } from '@plinto/tenants';
import { createEndpoint } from '@plinto/webhooks';
import { percentile } from './load';
import { REPO_ROOT, startServerProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const BURST = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);
const STEADY_RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 50); // events per second
const STEADY_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const SETTLE_TIMEOUT_MS = 120_000;
// A database of its own: other suites leave outbox rows (emails...) that this suite's workers
// process would otherwise pick up and deliver.
const DATABASE_URL = process.env.BENCH_WEBHOOKS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench_webhooks';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'plinto_bench_wh';
const CONCURRENCY = 32;

interface Arrival {
  eventId: string;
  at: number;
}

/** The customer's receiver: answers 200 at once and notes when each event arrived. */
async function startReceiver(): Promise<{ server: Server; url: string; arrivals: Map<string, number> }> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      if (!arrivals.has(id)) arrivals.set(id, at);
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals };
}

/** Commits `count` events (audit + outbox rows, exactly as a request would) in one transaction. */
async function commitEvents(orm: MikroORM, tenantId: string, count: number): Promise<{ ids: string[]; committedAt: number }> {
  const ids: string[] = [];
  await orm.em.fork().transactional(async (tx) => {
    for (let i = 0; i < count; i++) {
      ids.push(recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('bench.pinged', { tenantId, target: { type: 'tenant', id: tenantId }, data: { i } })));
    }
    await tx.flush();
  });
  return { ids, committedAt: performance.timeOrigin + performance.now() };
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pace = async (ratePerSecond: number, durationMs: number, tick: () => Promise<void>) => {
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; Date.now() - started < durationMs; n++) {
    const due = started + (n * 1000) / ratePerSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    pending.push(tick());
  }
  await Promise.all(pending);
};

/** Raw BullMQ on the same Redis: addBulk + a no-op worker (throughput), then paced adds (latency). */
async function rawBullmq(): Promise<{ perSecond: number; p50: number; p99: number }> {
  const name = `raw_${uuidv7()}`;
  const producer = createRedis(REDIS_URL, 'producer', 'bench-raw-producer');
  const consumer = createRedis(REDIS_URL, 'worker', 'bench-raw-worker');
  const queue = new Queue(name, { connection: producer, prefix: PREFIX, defaultJobOptions: { removeOnComplete: true } });
  let processed = 0;
  const latencies: number[] = [];
  const worker = new Worker(
    name,
    async (job) => {
      processed++;
      if (job.data.sentAt) latencies.push(performance.timeOrigin + performance.now() - job.data.sentAt);
    },
    { connection: consumer, prefix: PREFIX, concurrency: CONCURRENCY },
  );
  try {
    const t0 = performance.now();
    for (let i = 0; i < BURST; i += 500) {
      await queue.addBulk(Array.from({ length: Math.min(500, BURST - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
    }
    await until(() => processed >= BURST, 'raw BullMQ burst');
    const perSecond = BURST / ((performance.now() - t0) / 1000);
    let added = 0;
    await pace(STEADY_RATE, STEADY_MS, async () => {
      added++;
      await queue.add('noop', { sentAt: performance.timeOrigin + performance.now() });
    });
    await until(() => latencies.length >= added, 'raw BullMQ steady');
    latencies.sort((a, b) => a - b);
    return { perSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
  }
}

const deliveries: Benchmark = {
  name: 'webhooks',
  async run(): Promise<BenchRow[]> {
    const receiver = await startReceiver();
    const env = {
      DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      WORKERS_MAINTENANCE: 'false',
      WORKERS_METRICS_PORT: '0',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    };
    const workers = await startServerProcess(`${REPO_ROOT}workers/src/main.ts`, env); // migrates the bench database
    const config = loadConfig({ ...env, DB_POOL_MAX: '4' });
    const orm = await createOrm(config, platformSchema, createLogger({ LOG_LEVEL: 'silent' }, 'bench'));
    try {
      const slug = `bench-wh-${Date.now().toString(36)}`;
      const operator = (tenantRef: { id: string; slug: string }) =>
        operatorContext({ em: orm.em.fork(), config, tenant: { ...tenantRef, name: tenantRef.slug, status: 'active', settings: {} } });
      const tenant = await createTenant(operator({ id: '00000000-0000-7000-8000-000000000000', slug: 'default' }), { slug, name: slug });
      await createEndpoint(operator(tenant), { url: receiver.url, eventTypes: ['bench.*'] });

      // Warm-up: JIT, connection pools, keep-alive sockets.
      const warm = await commitEvents(orm, tenant.id, 50);
      await until(() => warm.ids.every((id) => receiver.arrivals.has(id)), 'warm-up deliveries');

      // Throughput: a backlog committed at once, drained end to end.
      const burst = await commitEvents(orm, tenant.id, BURST);
      await until(() => burst.ids.every((id) => receiver.arrivals.has(id)), 'burst deliveries');
      const last = Math.max(...burst.ids.map((id) => receiver.arrivals.get(id)!));
      const perSecond = BURST / ((last - burst.committedAt) / 1000);

      // Latency: events committed one per transaction at a steady rate, each timed from its commit.
      const steady: Arrival[] = [];
      await pace(STEADY_RATE, STEADY_MS, async () => {
        const { ids, committedAt } = await commitEvents(orm, tenant.id, 1);
        steady.push({ eventId: ids[0]!, at: committedAt });
      });
      await until(() => steady.every((s) => receiver.arrivals.has(s.eventId)), 'steady deliveries');
      const latencies = steady.map((s) => receiver.arrivals.get(s.eventId)! - s.at).sort((a, b) => a - b);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);

      const raw = await rawBullmq();
      const poll = `OUTBOX_POLL_INTERVAL_MS=${config.OUTBOX_POLL_INTERVAL_MS}`;
      return [
        {
          name: `deliveries/s, ${BURST} committed events → receiver`,
          figure: perSecond,
          baselineName: 'raw BullMQ add+process',
          baseline: raw.perSecond,
          unit: 'msg/s',
          higherIsBetter: true,
          goal: '>= 0.10',
          note: `outbox → events → fan-out → webhooks → signed POST; concurrency ${CONCURRENCY}`,
        },
        {
          name: `delivery latency p50 at ${STEADY_RATE} events/s`,
          figure: p50,
          baselineName: 'raw BullMQ add→process p50',
          baseline: raw.p50,
          unit: 'ms',
          higherIsBetter: false,
          note: `commit → receiver: relay poll (${poll}), fan-out, signed POST`,
        },
        {
          name: `delivery latency p99 at ${STEADY_RATE} events/s`,
          figure: p99,
          baselineName: 'raw BullMQ add→process p99',
          baseline: raw.p99,
          unit: 'ms',
          higherIsBetter: false,
          note: `${latencies.length} events`,
        },
      ];
    } finally {
      await orm.close();
      await workers.stop();
      receiver.server.closeAllConnections();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  },
};

export const benchmarks: Benchmark[] = [deliveries];
