import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DOMAIN_EVENTS_QUEUE, consumerQueue } from '@plinto/kernel';
import { signingKeyProvisioning } from '@plinto/auth';
import { EVENT_BATCH_JOB, type EventBatch } from '@plinto/workers';
import { sqlClient, startPrivateRedis, startTestApi, startTestWorkers, waitFor } from '../src';

describe('when Redis goes down', () => {
  it('is not ready but alive, keeps accepting tenant changes, and delivers them to the queue once Redis returns', async () => {
    const redis = await startPrivateRedis();
    const api = await startTestApi({ REDIS_URL: redis.url });
    await startTestWorkers(api.config);
    const db = sqlClient(api.config.DATABASE_URL);

    await redis.stop();
    await waitFor(async () => (await api.rest('GET', '/ready')).status === 503, '/ready to report 503');
    const ready = await api.rest('GET', '/ready');
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'unavailable' });
    expect((await api.rest('GET', '/health')).status).toBe(200);

    const slugs = ['outage-1', 'outage-2', 'outage-3'];
    const created = [];
    for (const slug of slugs) {
      const res = await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } });
      expect(res.status).toBe(201);
      created.push(res.body.id as string);
    }
    const { rows: pending } = await db.query(
      `select id, tenant_id from outbox where queue = $1 and dispatched_at is null and tenant_id = any($2::uuid[])`,
      [DOMAIN_EVENTS_QUEUE, created],
    );
    expect(pending).toHaveLength(3);

    await redis.start();
    await waitFor(async () => (await api.rest('GET', '/ready')).status === 200, '/ready to recover', 20_000);
    await waitFor(
      async () => (await db.query('select count(*)::int as n from outbox where dispatched_at is null')).rows[0].n === 0,
      'the outbox to drain',
      20_000,
    );

    // Every pending row reached the queue of each consumer of the event (here: the signing-key
    // provisioning of a new tenant) exactly once — in a job of its own (job id = outbox id) or in a
    // batch (job id digested from its outbox ids): none lost, none twice.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(consumerQueue(signingKeyProvisioning.name).name, { connection, prefix: api.config.QUEUE_PREFIX });
    try {
      const relayed = async () =>
        (await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).flatMap((job) =>
          job.name === EVENT_BATCH_JOB
            ? (job.data as EventBatch).outboxIds.map((id, i) => ({ id, data: (job.data as EventBatch).events[i] }))
            : [{ id: job.id, data: job.data as Record<string, unknown> }],
        );
      await waitFor(async () => {
        const all = await relayed();
        return pending.every((row) => all.some((e) => e.id === row.id));
      }, 'every pending row on the queue');
      const all = await relayed();
      for (const row of pending) {
        const mine = all.filter((e) => e.id === row.id);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.data).toMatchObject({ action: 'tenant.created', tenantId: row.tenant_id });
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
