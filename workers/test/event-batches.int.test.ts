import { afterAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import {
  createLogger,
  createOrm,
  createRedis,
  defineQueue,
  domainEventMessageSchema,
  inSpan,
  recordEvent,
  startTracing,
  SYSTEM_ACTOR,
  type DomainEventConsumer,
  type DomainEventMessage,
} from '@plinto/kernel';
import { dropTestDatabases, testConfig, undeclaredEvent, waitFor } from '@plinto/kernel/testing';
import { platformSchema } from '@plinto/platform';
import { EVENT_BATCH_JOB, retryJobId, startWorkers } from '@plinto/workers';

afterAll(() => dropTestDatabases());

const EVENTS = 120;
const POISON = 77;

/** Counts how often each consumer handled each event (by its `i`), and the batches handleBatch got. */
const handled = { ok: new Map<number, number>(), flaky: new Map<number, number>(), batched: new Map<number, number>() };
const batchSizes: number[] = [];
const count = (into: Map<number, number>, event: DomainEventMessage) => into.set(event.data.i as number, (into.get(event.data.i as number) ?? 0) + 1);

// Few, fast attempts for the failing consumers, so the dead letter comes within the test.
const fastRetries = { attempts: 3, backoff: { type: 'exponential', delay: 50 } };
defineQueue('events.test-flaky', domainEventMessageSchema, fastRetries);
defineQueue('events.test-batched', domainEventMessageSchema, fastRetries);

const consumers: DomainEventConsumer[] = [
  { name: 'test-ok', handle: async (event) => void count(handled.ok, event) },
  {
    name: 'test-flaky',
    async handle(event) {
      count(handled.flaky, event);
      if (event.data.poison) throw new Error('this event always fails');
    },
  },
  {
    // Like the realtime publisher: one call per batch, one outcome per event.
    name: 'test-batched',
    concurrency: 1,
    async handle(event) {
      count(handled.batched, event);
      if (event.data.poison) throw new Error('this event always fails');
    },
    async handleBatch(events) {
      batchSizes.push(events.length);
      return events.map((event) => (count(handled.batched, event), event.data.poison ? new Error('this event always fails') : undefined));
    },
  },
];

describe('domain events in batches', () => {
  it('reach every consumer once in jobs of up to 50; a failing event is retried and dead-lettered alone; traces and metrics stay per event', async () => {
    const exporter = new InMemorySpanExporter();
    startTracing({ serviceName: 'plinto-test', exporter });
    const config = await testConfig({ WORKERS_MAINTENANCE: 'false' });
    const orm = await createOrm(config, platformSchema);
    // Committed before the workers start, so the relay claims them together: 50 + 50 + 20 per consumer.
    await orm.em.fork().transactional(async (tx) => {
      for (let i = 0; i < EVENTS; i++) {
        await inSpan('test', `write ${i}`, {}, async () => recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('test.batched', { tenantId: null, data: { i, poison: i === POISON } })));
      }
    });
    const [poisonRow] = await orm.em.fork().execute<{ id: string; event_id: string }[]>(`select id, payload->>'eventId' as event_id from outbox where payload->'data'->>'i' = ?`, [String(POISON)]);

    const runtime = await startWorkers(config, createLogger(config, 'test'), { consumers, tasks: [] });
    const connection = createRedis(config.REDIS_URL, 'worker', 'test-reader');
    const queue = (name: string) => new Queue(`events.${name}`, { connection, prefix: config.QUEUE_PREFIX });
    const flakyQueue = queue('test-flaky');
    const batchedQueue = queue('test-batched');
    const okQueue = queue('test-ok');
    try {
      const deadLetters = async (q: Queue) => (await q.getJobs(['failed'])) as Job[];
      await waitFor(async () => handled.ok.size === EVENTS && (await deadLetters(flakyQueue)).length === 1 && (await deadLetters(batchedQueue)).length === 1, 'every event handled and the poisoned one dead-lettered', 30_000);

      // Every event once per consumer; the others are not re-run when one of their batch fails.
      for (let i = 0; i < EVENTS; i++) {
        expect(handled.ok.get(i), `event ${i} (ok)`).toBe(1);
        expect(handled.flaky.get(i), `event ${i} (flaky)`).toBe(i === POISON ? 3 : 1);
        expect(handled.batched.get(i), `event ${i} (batched)`).toBe(i === POISON ? 3 : 1);
      }
      expect(batchSizes.sort((a, b) => a - b)).toEqual([20, 50, 50]);
      expect((await okQueue.getJobs(['completed'])).map((j) => j.name)).toEqual([EVENT_BATCH_JOB, EVENT_BATCH_JOB, EVENT_BATCH_JOB]);
      // The dead letter is the poisoned event alone, after the attempts its queue allows (1 in its batch + 2).
      for (const q of [flakyQueue, batchedQueue]) {
        const [dead] = await deadLetters(q);
        expect(dead!.id).toBe(retryJobId(poisonRow!.id));
        expect(dead!.data).toMatchObject({ eventId: poisonRow!.event_id, data: { i: POISON } });
        expect(dead!.attemptsMade).toBe(2);
      }

      // Metrics count events, not jobs.
      const metrics = await (await fetch(runtime.metricsUrl)).text();
      const sample = (name: string, queueName: string) => Number(metrics.match(new RegExp(`^${name}\\{queue="${queueName.replace('.', '\\.')}"\\} (\\d+)`, 'm'))?.[1]);
      expect(sample('plinto_queue_jobs_completed_total', 'events.test-ok')).toBe(EVENTS);
      expect(sample('plinto_queue_jobs_completed_total', 'events.test-flaky')).toBe(EVENTS - 1);
      expect(sample('plinto_queue_jobs_failed_total', 'events.test-flaky')).toBe(3);

      // Each event's trace continues: its write → the relay's span for it → its span in each consumer.
      const spans = exporter.getFinishedSpans();
      for (let i = 0; i < EVENTS; i++) {
        const write = spans.find((s) => s.name === `write ${i}`)!;
        const inTrace = spans.filter((s) => s.spanContext().traceId === write.spanContext().traceId);
        for (const consumer of ['test-ok', 'test-flaky', 'test-batched']) {
          const job = inTrace.find((s) => s.name === `job events.${consumer}`);
          expect(job, `event ${i} in ${consumer}`).toBeDefined();
          const relay = inTrace.find((s) => s.spanContext().spanId === job!.parentSpanContext?.spanId);
          expect(relay?.name).toBe('outbox.relay');
          expect(relay?.parentSpanContext?.spanId).toBe(write.spanContext().spanId);
        }
      }
    } finally {
      await Promise.all([flakyQueue.close(), batchedQueue.close(), okQueue.close()]);
      connection.disconnect();
      await runtime.close();
      await orm.close();
    }
  }, 60_000);
});
