// Realtime: 10,000 WebSocket subscribers on one api process (the load client in another process),
// events fanned out to all of them — deliveries per second, p50/p99 publish → delivery latency,
// memory per connection — next to a raw `ws` broadcast server doing the same in the same run.
// Both are fed the same way (a Redis publish), so the ratio is the cost of Plinto's per-subscriber
// work: tRPC framing, per-event authorization by the engine, resumable ids, limits.
import { fork, type ChildProcess } from 'node:child_process';
import { createRedis } from '@plinto/kernel';
import { publishEvent } from '@plinto/realtime';
import { percentile } from './load';
import { BENCH_PLATFORM_KEY, REPO_ROOT, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const SUBSCRIBERS = Number(process.env.BENCH_REALTIME_SUBSCRIBERS ?? 10_000);
const LATENCY_EVENTS = Number(process.env.BENCH_REALTIME_LATENCY_EVENTS ?? 20);
const BURST_EVENTS = Number(process.env.BENCH_REALTIME_BURST_EVENTS ?? 20);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'plinto_bench';
const RAW_CHANNEL = 'plinto_bench_raw';
const SETTLE_MS = 120_000;

const progress = (what: string) => void process.stderr.write(`  realtime: ${what}\n`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process spoken to over IPC: `ask` sends a command and waits for the reply of `replyType`. */
function child(path: string, env: Record<string, string> = {}) {
  const proc: ChildProcess = fork(path, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const first = new Promise<any>((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`${path} exited with ${code}`)));
  });
  const ask = <T>(command: object, replyType: string) =>
    new Promise<T>((resolve) => {
      const on = (message: any) => {
        if (message?.type !== replyType) return;
        proc.off('message', on);
        resolve(message as T);
      };
      proc.on('message', on);
      proc.send(command);
    });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', (code, signal) => {
    if (signal !== 'SIGTERM') progress(`${path} exited with ${code ?? signal}`);
  });
  return { first, ask, stop: async () => (proc.kill('SIGTERM'), await exited) };
}

async function apiRss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

interface Side {
  connect(load: ReturnType<typeof child>): Promise<void>;
  publish(seq: number): Promise<void>;
  rss(): Promise<number>;
}

interface Figures {
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  bytesPerConnection: number;
}

async function measure(side: Side): Promise<Figures> {
  const load = child(`${REPO_ROOT}bench/src/servers/realtime-load.ts`);
  await load.first;
  try {
    const before = await side.rss();
    progress('connecting');
    await side.connect(load);
    progress('connected');
    await sleep(2000); // let the heap settle after the connection storm
    const after = await side.rss();
    const collect = () => load.ask<{ latencies: number[]; lastArrival: number }>({ type: 'collect' }, 'collected');
    const settle = async (expected: number) => {
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        const got = await collect();
        if (got.latencies.length >= expected) return got;
        if (Date.now() > deadline || process.env.BENCH_REALTIME_DEBUG) progress(`settle: ${got.latencies.length} of ${expected}`);
        if (Date.now() > deadline) throw new Error(`only ${got.latencies.length} of ${expected} deliveries arrived`);
        await sleep(200);
      }
    };
    // Latency: events one at a time, each fanned out to every subscriber before the next.
    await load.ask({ type: 'reset' }, 'reset');
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      await side.publish(i);
      await settle((i + 1) * SUBSCRIBERS);
    }
    const latencies = (await collect()).latencies.sort((a, b) => a - b);
    progress(`latency phase: ${latencies.length} deliveries`);
    // Throughput: a burst of events, every one to every subscriber.
    await load.ask({ type: 'reset' }, 'reset');
    const start = now();
    for (let i = 0; i < BURST_EVENTS; i++) await side.publish(LATENCY_EVENTS + i);
    const burst = await settle(BURST_EVENTS * SUBSCRIBERS);
    return {
      deliveriesPerSecond: burst.latencies.length / ((burst.lastArrival - start) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      bytesPerConnection: (after - before) / SUBSCRIBERS,
    };
  } finally {
    await load.ask({ type: 'close' }, 'closed');
    progress('load client: sockets closed');
    await load.stop();
    progress('load client stopped');
  }
}

async function plinto(): Promise<Figures> {
  const api = await startApiProcess({
    REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: String(SUBSCRIBERS * 2),
    REALTIME_MAX_CONNECTIONS_PER_TENANT: String(SUBSCRIBERS * 2),
    REDIS_URL,
  });
  const url = `http://127.0.0.1:${api.message.port}`;
  const redis = createRedis(REDIS_URL, 'worker', 'bench-realtime');
  try {
    const rest = (method: string, path: string, body?: unknown, tenant?: string) =>
      fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'content-type': 'application/json', ...(tenant ? { 'x-plinto-tenant': tenant } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const slug = `bench-rt-${Date.now().toString(36)}`;
    const created = async <T>(res: Promise<Response>): Promise<T> => {
      const answer = await res;
      if (answer.status !== 201) throw new Error(`bench setup failed: ${answer.status} ${await answer.text()}`);
      return (await answer.json()) as T;
    };
    const tenant = await created<{ id: string }>(rest('POST', '/v1/tenants', { slug, name: slug }));
    const key = await created<{ key: string }>(rest('POST', '/v1/api-keys', { name: 'realtime bench', role: 'admin' }, slug));
    return await measure({
      connect: async (load) => {
        const connected = await load.ask<{ open: number; ready: number; failures: number }>({ type: 'connect', url: url.replace('http', 'ws'), count: SUBSCRIBERS, protocol: 'trpc', token: key.key }, 'connected');
        if (connected.open !== SUBSCRIBERS || connected.ready !== SUBSCRIBERS) throw new Error(`only ${connected.open} of ${SUBSCRIBERS} subscribers connected, ${connected.ready} ready (${connected.failures} failed)`);
      },
      publish: async (seq) => {
        await publishEvent(redis, PREFIX, { historyLength: 10_000, historySeconds: 600 }, {
          eventId: crypto.randomUUID(),
          action: 'bench.pinged',
          tenantId: tenant.id,
          organizationId: null,
          actor: { type: 'system', id: null },
          target: { type: 'tenant', id: tenant.id },
          data: { seq, sentAt: now() },
          occurredAt: new Date().toISOString(),
        });
      },
      rss: () => apiRss(url),
    });
  } finally {
    redis.disconnect();
    await api.stop();
    progress('api stopped');
  }
}

async function raw(): Promise<Figures> {
  const server = child(`${REPO_ROOT}bench/src/servers/raw-ws-broadcast.ts`, { REDIS_URL, RAW_CHANNEL });
  const { port } = (await server.first) as { port: number };
  const redis = createRedis(REDIS_URL, 'worker', 'bench-realtime-raw');
  try {
    return await measure({
      connect: async (load) => {
        const connected = await load.ask<{ open: number }>({ type: 'connect', url: `ws://127.0.0.1:${port}`, count: SUBSCRIBERS, protocol: 'raw' }, 'connected');
        if (connected.open !== SUBSCRIBERS) throw new Error(`only ${connected.open} raw subscribers connected`);
      },
      // The same payload shape as Plinto's (the webhook body), without the envelope.
      publish: async (seq) => {
        const at = now();
        await redis.publish(RAW_CHANNEL, JSON.stringify({ id: crypto.randomUUID(), type: 'bench.pinged', timestamp: new Date().toISOString(), tenantId: null, organizationId: null, actor: { type: 'system', id: null }, target: null, data: { seq, sentAt: at } }));
      },
      rss: async () => (await server.ask<{ rss: number }>({ type: 'rss' }, 'rss')).rss,
    });
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'realtime',
    async run(): Promise<BenchRow[]> {
      const ours = await plinto();
      const base = await raw();
      const note = `${SUBSCRIBERS.toLocaleString('en-US')} WebSocket subscribers on one api process, load client in another`;
      return [
        { name: 'deliveries per second (burst fan-out)', figure: ours.deliveriesPerSecond, baselineName: 'raw ws broadcast', baseline: base.deliveriesPerSecond, unit: 'deliveries/s', higherIsBetter: true, goal: '>= 0.50', note },
        { name: 'publish → delivered, p50', figure: ours.p50, baselineName: 'raw ws broadcast', baseline: base.p50, unit: 'ms', higherIsBetter: false, note },
        { name: 'publish → delivered, p99', figure: ours.p99, baselineName: 'raw ws broadcast', baseline: base.p99, unit: 'ms', higherIsBetter: false, goal: 'p99 <= 250 ms', note },
        { name: 'memory per connection (RSS)', figure: ours.bytesPerConnection / 1024, baselineName: 'raw ws broadcast', baseline: base.bytesPerConnection / 1024, unit: 'KiB', higherIsBetter: false, note: 'one subscription each' },
      ];
    },
  },
];
