import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DOMAIN_EVENTS_QUEUE, consumerQueue } from '@plinto/kernel';
import { signingKeyProvisioning } from '@plinto/auth';
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

    // Every pending row became exactly the job whose id is the outbox id, on the queue of each
    // consumer of the event (here: the signing-key provisioning of a new tenant): none lost.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(consumerQueue(signingKeyProvisioning.name).name, { connection, prefix: api.config.QUEUE_PREFIX });
    try {
      for (const row of pending) {
        const job = await waitFor(() => queue.getJob(row.id), `job ${row.id}`);
        expect(job.data).toMatchObject({ action: 'tenant.created', tenantId: row.tenant_id });
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
