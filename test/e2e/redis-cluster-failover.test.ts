import { afterAll, describe, expect, it } from 'vitest';
import { startRedisCluster } from '../src/redis-cluster';

/**
 * A master of the Redis Cluster (the one holding Plinto's hash-tagged queues) is SIGKILLed while
 * events are committed and delivered; its replica takes over. Every committed event still reaches
 * the webhook receiver: the outbox relay lets a row go only once a replica holds its job
 * (REDIS_WAIT_REPLICAS=1), and jobs in flight on the dead master are picked up again from the
 * promoted replica. Clients never see an error, as no request waits on Redis.
 */
const cluster = await startRedisCluster({ masters: 3, replicas: 1 });
afterAll(() => cluster.stop()); // registered before the harness's hook, so it runs after it
process.env.PLINTO_TEST_REDIS_URL = cluster.url;
const { sqlClient, startTestApi, startTestWorkers, waitFor } = await import('../src');
const { startReceiver } = await import('./webhooks.receiver');

const MAX_EVENTS = 3000;
const settings = {
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,500ms,1s,2s,2s,2s',
  WEBHOOK_TIMEOUT: '2s',
  WEBHOOK_CLAIM_TIMEOUT: '3s',
  REDIS_WAIT_REPLICAS: '1',
};

describe('a Redis Cluster master fails over under load', () => {
  it('loses no accepted job: every committed event is delivered, and every client write succeeded', async () => {
    const api = await startTestApi(settings);
    await startTestWorkers(api.config);
    const sql = sqlClient(api.config.DATABASE_URL);
    const tenant = (await api.rest('POST', '/v1/tenants', { body: { slug: 'failover', name: 'Failover' } })).body;
    const receiver = await startReceiver();
    const endpoint = (await api.rest('POST', '/v1/webhooks/endpoints', { tenant: 'failover', body: { url: receiver.url, eventTypes: ['tenant.updated'] } })).body;
    receiver.secrets = [endpoint.secret];
    const queueMaster = await cluster.masterOf(`${api.config.QUEUE_PREFIX}:any`);

    // Writers go on until 100 more events after the failover (at most MAX_EVENTS in all).
    let sent = 0;
    let until = MAX_EVENTS;
    const statuses: number[] = [];
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < until) {
          const i = sent++;
          statuses.push((await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: `failover ${i}` } })).status);
        }
      }),
    );
    await waitFor(() => receiver.uniqueIds().size >= 50, 'deliveries under way', 60_000);
    await cluster.kill(queueMaster);
    const sentAtKill = sent;
    await cluster.waitForState(({ masters }) => !masters.includes(queueMaster.port), 'a replica promoted in place of the killed master', 30_000);
    until = Math.min(MAX_EVENTS, sent + 100);
    await load;
    expect(sentAtKill).toBeLessThan(until);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const events: string[] = (await sql.query(`select id from audit_events where tenant_id = $1 and action = 'tenant.updated'`, [tenant.id])).rows.map((r) => r.id);
    expect(events).toHaveLength(sent);
    await waitFor(() => events.every((id) => receiver.deliveries.some((d) => d.payload?.id === id && d.verifiedWith.length === 1)), 'every event delivered', 120_000, 100);
    // What the deliveries themselves record (their own events) flows on too: the relay is not stuck.
    await waitFor(async () => (await sql.query('select count(*)::int as n from outbox where dispatched_at is null')).rows[0].n === 0, 'the outbox to drain', 30_000, 100);
  }, 240_000);
});
