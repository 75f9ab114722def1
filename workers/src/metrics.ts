import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job, Worker } from 'bullmq';
import { collectNodeMetrics, counter, gauge, histogram, observePool, processRegistry, type Logger, type MikroORM, type QueueProducers } from '@plinto/kernel';
import type { AttemptObservation } from '@plinto/webhooks';

/**
 * The workers' Prometheus metrics, served on their own port (WORKERS_METRICS_PORT). Queue depth
 * and age, outbox and audit-chain lag are read when Prometheus scrapes (a few indexed queries),
 * so they are never stale and cost nothing between scrapes.
 */
const jobsProcessed = counter({ name: 'plinto_queue_jobs_completed_total', help: 'Jobs a worker completed, per queue', labelNames: ['queue'] });
const jobsFailed = counter({ name: 'plinto_queue_jobs_failed_total', help: 'Job attempts that failed (each retry counts), per queue', labelNames: ['queue'] });
const webhookAttempts = counter({ name: 'plinto_webhook_attempts_total', help: 'Webhook delivery attempts by result (success, http_error, network error kind)', labelNames: ['result'] });
const webhookLatency = histogram({
  name: 'plinto_webhook_attempt_duration_seconds',
  help: 'Duration of one webhook delivery attempt (DNS, connect, response)',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});
const webhookDeadLetters = counter({ name: 'plinto_webhook_dead_letters_total', help: 'Webhook messages that failed for good (dead letters), by reason', labelNames: ['reason'] });
const emailsSent = counter({ name: 'plinto_email_sent_total', help: 'Emails handed to the provider, by provider and template', labelNames: ['provider', 'template'] });
const emailsFailed = counter({ name: 'plinto_email_failed_total', help: 'Email send attempts that failed, by provider and whether they will be retried', labelNames: ['provider', 'retry'] });

export const workerMetrics = {
  webhookAttempt(attempt: AttemptObservation): void {
    webhookAttempts.inc({ result: attempt.ok ? 'success' : (attempt.errorKind ?? 'http_error') });
    webhookLatency.observe(attempt.latencyMs / 1000);
  },
  webhookDeadLetter(reason: string): void {
    webhookDeadLetters.inc({ reason });
  },
  emailSent(provider: string, template: string): void {
    emailsSent.inc({ provider, template });
  },
  emailFailed(provider: string, willRetry: boolean): void {
    emailsFailed.inc({ provider, retry: String(willRetry) });
  },
};

/**
 * Counts each BullMQ worker's completed and failed jobs; a job of several domain events counts
 * each event (its processor returns `{ domainEvents, failedDomainEvents }`: completed, and failed
 * to be retried alone).
 */
export function observeWorker(worker: Worker, queue: string): void {
  worker.on('completed', (_job: Job, result: unknown) => {
    const { domainEvents, failedDomainEvents } = (result ?? {}) as { domainEvents?: unknown; failedDomainEvents?: unknown };
    jobsProcessed.inc({ queue }, typeof domainEvents === 'number' ? domainEvents : 1);
    if (typeof failedDomainEvents === 'number' && failedDomainEvents > 0) jobsFailed.inc({ queue }, failedDomainEvents);
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    // A delayed webhook retry "fails" with DelayedError by design: it is not a failure.
    if (error?.name === 'DelayedError') return;
    jobsFailed.inc({ queue });
  });
}

interface BacklogSource {
  orm: MikroORM;
  producers: QueueProducers;
  queueNames: string[];
  logger: Logger;
}

/** Every workers runtime of this process (one in production; tests may start several). */
const sources = new Set<BacklogSource>();

/**
 * Gauges read at scrape time: queue depth and age per queue, outbox and audit-chain lag. Returns
 * the function that stops observing (when the runtime closes).
 */
export function observeBacklogs(source: BacklogSource): () => void {
  sources.add(source);
  defineBacklogGauges();
  return () => void sources.delete(source);
}

const queuesOf = () => [...sources].flatMap((s) => s.queueNames.map((name) => s.producers.get(name)));

async function lag(sql: string): Promise<{ n: number; age: number }> {
  const total = { n: 0, age: 0 };
  for (const source of sources) {
    try {
      const [row] = await source.orm.em.fork().execute<{ n: number; age: number | null }[]>(sql);
      total.n += row?.n ?? 0;
      total.age = Math.max(total.age, row?.age ?? 0);
    } catch (error) {
      source.logger.debug({ err: error }, 'backlog metric unavailable');
    }
  }
  return total;
}

/** One query per scrape for the two gauges that share it. */
function fresh<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 500) last = { at: Date.now(), value: read() };
    return last.value;
  };
}

function defineBacklogGauges(): void {
  gauge({
    name: 'plinto_queue_jobs',
    help: 'Jobs in each queue by state (waiting, delayed, active, failed)',
    labelNames: ['queue', 'state'],
    async collect() {
      this.reset();
      for (const queue of queuesOf()) {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized').catch(() => null);
        if (!counts) continue;
        this.inc({ queue: queue.name, state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
        for (const state of ['delayed', 'active', 'failed'] as const) this.inc({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  gauge({
    name: 'plinto_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits)',
    labelNames: ['queue'],
    async collect() {
      this.reset();
      for (const queue of queuesOf()) {
        const [oldest] = await queue.getJobs(['wait'], -1, -1, true).catch(() => [] as Job[]);
        this.set({ queue: queue.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
      }
    },
  });
  const outbox = fresh(() => lag(`select count(*)::int as n, extract(epoch from now() - min(available_at))::float as age from outbox where dispatched_at is null and available_at <= now()`));
  gauge({ name: 'plinto_outbox_pending', help: 'Outbox rows due and not yet dispatched to their queue', async collect() { this.set((await outbox()).n); } });
  gauge({ name: 'plinto_outbox_lag_seconds', help: 'How long the oldest due outbox row has waited (0 when none)', async collect() { this.set((await outbox()).age); } });
  const chain = fresh(() => lag(`select count(*)::int as n, extract(epoch from now() - min(occurred_at))::float as age from audit_events where chain_seq is null`));
  gauge({ name: 'plinto_audit_chain_pending', help: 'Audit events not yet linked into their tenant hash chain', async collect() { this.set((await chain()).n); } });
  gauge({ name: 'plinto_audit_chain_lag_seconds', help: 'Age of the oldest audit event not yet chained (0 when none)', async collect() { this.set((await chain()).age); } });
}

/** Serves /metrics of this workers process; `port` 0 picks a free one (tests). */
export async function serveMetrics(host: string, port: number, orm: MikroORM): Promise<{ url: string; close(): Promise<void> }> {
  collectNodeMetrics();
  observePool(orm);
  const server: Server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await processRegistry.metrics();
      res.writeHead(200, { 'content-type': processRegistry.contentType }).end(body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
