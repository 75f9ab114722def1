import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import {
  createLogger,
  createOrm,
  createRedis,
  recordEvent,
  consumerQueue,
  DOMAIN_EVENTS_QUEUE,
  OutboxMessage,
  QueueProducers,
  SYSTEM_ACTOR,
  type Config,
  type MikroORM,
} from '@plinto/kernel';
import { dropTestDatabases, testConfig, undeclaredEvent } from '@plinto/kernel/testing';
import { EVENT_BATCH_JOB, OutboxRelay } from '@plinto/workers';
import { platformSchema } from '@plinto/platform';

let config: Config;
let orm: MikroORM;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  config = await testConfig();
  orm = await createOrm(config, platformSchema);
  closers.push(() => orm.close());
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await dropTestDatabases();
});

const logger = createLogger({ LOG_LEVEL: 'silent' }, 'test');

/** Two consumers of every event, as the workers route them: each has its own queue. */
const CONSUMERS = [consumerQueue('test-a').name, consumerQueue('test-b').name];
const options = (batchSize: number) => ({ batchSize, pollIntervalMs: 5, routeEvent: () => CONSUMERS });
const newProducers = () => {
  const producers = new QueueProducers(createRedis(config.REDIS_URL, 'producer', 'test'), config.QUEUE_PREFIX);
  closers.push(() => producers.close());
  return producers;
};

const reader = () => {
  const connection = createRedis(config.REDIS_URL, 'worker', 'test-reader');
  closers.push(async () => connection.disconnect());
  return connection;
};

/** A consumer job's events with their outbox ids: a lone event (job id = outbox id) or a batch. */
function eventsOf(job: Job): { outboxId: string; data: Record<string, unknown> }[] {
  if (job.name !== EVENT_BATCH_JOB) return [{ outboxId: job.id!, data: job.data as Record<string, unknown> }];
  const batch = job.data as { outboxIds: string[]; events: Record<string, unknown>[] };
  return batch.outboxIds.map((outboxId, i) => ({ outboxId, data: batch.events[i]! }));
}

async function eventsOn(name: string): Promise<{ jobs: Job[]; events: { outboxId: string; data: Record<string, unknown> }[] }> {
  const queue = new Queue(name, { connection: reader(), prefix: config.QUEUE_PREFIX });
  closers.push(() => queue.close());
  const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return { jobs, events: jobs.flatMap(eventsOf) };
}

async function writeEvents(count: number): Promise<void> {
  const em = orm.em.fork();
  await em.transactional(async (tx) => {
    for (let i = 0; i < count; i++) recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('test.happened', { tenantId: null, data: { i } }));
  });
}

describe('the outbox relay', () => {
  it('enqueues every row exactly once per consumer, in jobs of up to 50 events, even with relays racing', async () => {
    await writeEvents(500);
    const relays = [0, 1, 2].map(() => new OutboxRelay(orm, newProducers(), logger, options(37)));
    // Drain by hand, all three at once, until nothing is left.
    let moved = 0;
    for (;;) {
      const counts = await Promise.all(relays.map((r) => r.dispatchBatch()));
      const sum = counts.reduce((a, b) => a + b, 0);
      if (sum === 0) break;
      moved += sum;
    }
    expect(moved).toBe(500);

    const rows = await orm.em.fork().find(OutboxMessage, { jobName: 'test.happened' });
    expect(rows.every((r) => r.dispatchedAt !== null && r.lastError === null && r.attempts === 1)).toBe(true);
    for (const name of CONSUMERS) {
      const { jobs, events } = await eventsOn(name);
      // Each row once: 37-row claims make jobs of 37 (or fewer, where relays raced), never one per row.
      expect(events.map((e) => e.outboxId).sort()).toEqual(rows.map((r) => r.id).sort());
      expect(jobs.length).toBeLessThan(100);
      expect(jobs.every((j) => eventsOf(j).length <= 50)).toBe(true);
      const sample = events.find((e) => e.outboxId === rows[123]!.id);
      expect(sample?.data).toMatchObject({ action: 'test.happened', eventId: rows[123]!.payload.eventId });
    }
  });

  it('re-relaying the same rows (a crash between enqueue and commit) adds no second job, batched or not', async () => {
    await writeEvents(120);
    // Redis takes the jobs, then the commit does not happen (here: the replicas never confirm).
    const producers = newProducers();
    let confirm = false;
    producers.confirmReplicated = async () => confirm;
    const relay = new OutboxRelay(orm, producers, logger, options(500));
    await expect(relay.dispatchBatch()).rejects.toThrow(/not confirmed/);
    const before = await Promise.all(CONSUMERS.map(async (name) => (await eventsOn(name)).jobs.length));
    confirm = true;
    expect(await relay.dispatchBatch()).toBe(120);
    const after = await Promise.all(CONSUMERS.map(async (name) => (await eventsOn(name)).jobs.length));
    expect(after).toEqual(before);
    for (const name of CONSUMERS) {
      const { events } = await eventsOn(name);
      const ids = events.map((e) => e.outboxId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('enqueuing the same row twice (a crash between enqueue and commit) creates no second job', async () => {
    const em = orm.em.fork();
    await em.transactional(async (tx) => {
      recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('test.crashy', { tenantId: null }));
    });
    const row = await em.findOneOrFail(OutboxMessage, { jobName: 'test.crashy' });
    const producers = newProducers();
    await producers.get(CONSUMERS[0]!).add(row.jobName, row.payload, { jobId: row.id });
    const relay = new OutboxRelay(orm, producers, logger, options(10));
    expect(await relay.dispatchBatch()).toBe(1);
    const connection = createRedis(config.REDIS_URL, 'worker', 'test-reader2');
    const queue = new Queue(CONSUMERS[0]!, { connection, prefix: config.QUEUE_PREFIX });
    const jobs = await queue.getJobs(['waiting', 'completed', 'active', 'delayed']);
    expect(jobs.filter((j) => j.name === 'test.crashy')).toHaveLength(1);
    await queue.close();
    connection.disconnect();
  });

  it('parks a row whose payload no processor could accept, visibly, instead of retrying it forever', async () => {
    const em = orm.em.fork();
    em.create(OutboxMessage, {
      id: '01900000-0000-7000-8000-000000000001',
      tenantId: null,
      queue: DOMAIN_EVENTS_QUEUE,
      jobName: 'broken',
      payload: { not: 'an event' },
      createdAt: new Date(),
      availableAt: new Date(),
      dispatchedAt: null,
      attempts: 0,
      lastError: null,
    });
    await em.flush();
    const relay = new OutboxRelay(orm, newProducers(), logger, options(10));
    expect(await relay.dispatchBatch()).toBe(1);
    const row = await orm.em.fork().findOneOrFail(OutboxMessage, { jobName: 'broken' });
    expect(row.dispatchedAt).not.toBeNull();
    expect(row.lastError).toMatch(/payload rejected/);
  });

  it('a change that rolls back leaves neither an audit event nor an outbox row', async () => {
    const em = orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('test.rolled_back', { tenantId: null }));
        await tx.flush();
        throw new Error('the change failed after writing its event');
      }),
    ).rejects.toThrow('the change failed');
    const audits = (await em.execute<{ n: number }[]>(`select count(*)::int as n from audit_events where action = 'test.rolled_back'`))[0]!.n;
    const outbox = (await em.execute<{ n: number }[]>(`select count(*)::int as n from outbox where job_name = 'test.rolled_back'`))[0]!.n;
    expect({ audits, outbox }).toEqual({ audits: 0, outbox: 0 });
  });
});
