import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { forkApp, sqlClient, startTestApi, waitFor, TEST_REDIS_URL } from '../src';
import { startReceiver } from './webhooks.receiver';

const BURST = 1000;
const settings = {
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms',
  WEBHOOK_TIMEOUT: '2s',
  // A delivery claimed by the killed worker is taken over this soon.
  WEBHOOK_CLAIM_TIMEOUT: '3s',
};

/** Every tenth event, deterministically, is one receiver B never accepts (it ends dead-lettered). */
const alwaysRefused = (eventId: string) => createHash('sha256').update(eventId).digest()[0]! % 10 === 0;

describe('durability: a worker killed during a burst of 1,000 events', () => {
  it('loses no event: each is delivered or dead-lettered on every endpoint, and duplicates share a webhook-id', async () => {
    const api = await startTestApi(settings);
    const sql = sqlClient(api.config.DATABASE_URL);
    const workerEnv = {
      NODE_ENV: 'test',
      DATABASE_URL: api.config.DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: api.config.QUEUE_PREFIX,
      // Signing secrets are sealed under the master key: the worker needs the api's.
      PLINTO_MASTER_KEY: api.config.PLINTO_MASTER_KEY!,
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_INTERVAL_MS: '25',
      WORKERS_MAINTENANCE: 'false',
      ...settings,
    };
    const tenant = (await api.rest('POST', '/v1/tenants', { body: { slug: 'burst', name: 'Burst' } })).body;
    const a = await startReceiver();
    const b = await startReceiver();
    const endpointA = (await api.rest('POST', '/v1/webhooks/endpoints', { tenant: 'burst', body: { url: a.url, eventTypes: ['tenant.updated'] } })).body;
    const endpointB = (await api.rest('POST', '/v1/webhooks/endpoints', { tenant: 'burst', body: { url: b.url, eventTypes: ['tenant.*'] } })).body;
    a.secrets = [endpointA.secret];
    b.secrets = [endpointB.secret];
    // B fails every first attempt, and always for a tenth of the events.
    b.respond = (d, n, res) => (n === 0 || alwaysRefused(d.payload.id) ? res.writeHead(500).end() : res.writeHead(200).end());

    const worker = await forkApp('workers', workerEnv);
    let sent = 0;
    const burst = (async () => {
      const next = async (): Promise<void> => {
        while (sent < BURST) {
          const i = sent++;
          const res = await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: `burst ${i}` } });
          if (res.status !== 200) throw new Error(`PATCH ${i}: ${res.status}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, next));
    })();

    // Mid-burst: the worker dies without any chance to clean up (jobs, claims, relay transaction in hand).
    await waitFor(() => a.uniqueIds().size >= 100, 'deliveries under way', 60_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const sentAtKill = sent;
    expect(sentAtKill).toBeLessThan(BURST);
    // The restarted worker is stopped by the harness when the file ends.
    await forkApp('workers', workerEnv);
    await burst;

    const events: { id: string }[] = (
      await sql.query(`select id from audit_events where tenant_id = $1 and action = 'tenant.updated'`, [tenant.id])
    ).rows;
    expect(events).toHaveLength(BURST);

    // Everything settles: 2,000 messages (1,000 per endpoint), none left pending.
    await waitFor(
      async () => {
        const { rows } = await sql.query(
          `select count(*)::int as total, count(*) filter (where status in ('succeeded', 'failed'))::int as settled
             from webhook_messages where tenant_id = $1`,
          [tenant.id],
        );
        return rows[0].total === 2 * BURST && rows[0].settled === 2 * BURST;
      },
      'every message settled',
      180_000,
      250,
    );

    const accepted = (r: typeof a) => new Set(r.deliveries.filter((d) => d.verifiedWith.length === 1).map((d) => d.payload.id));
    const dead = new Set<string>(
      (
        await sql.query(
          `select m.event_id from webhook_messages m where m.endpoint_id = $1 and m.status = 'failed'`,
          [endpointB.id],
        )
      ).rows.map((r) => r.event_id),
    );
    const gotA = accepted(a);
    const receivedB = new Set(b.deliveries.filter((d) => d.verifiedWith.length === 1 && !alwaysRefused(d.payload.id)).map((d) => d.payload.id));
    for (const { id } of events) {
      expect(gotA.has(id), `A got ${id}`).toBe(true);
      if (alwaysRefused(id)) expect(dead.has(id), `dead letter for ${id}`).toBe(true);
      else expect(receivedB.has(id), `B got ${id}`).toBe(true);
    }
    // A receiver can dedupe by webhook-id: one id per (event, endpoint), always the same body.
    for (const receiver of [a, b]) {
      const bodies = new Map<string, string>();
      for (const d of receiver.deliveries) {
        expect(d.verifiedWith).toHaveLength(1);
        expect(bodies.get(d.id) ?? d.body).toBe(d.body);
        bodies.set(d.id, d.body);
      }
      expect(receiver.uniqueIds().size).toBe(BURST);
    }
    const duplicatesOnA = a.deliveries.length - a.uniqueIds().size;
    console.info(`killed after ${sentAtKill} events; A saw ${duplicatesOnA} duplicate deliveries (at-least-once), B ${dead.size} dead letters`);
  }, 300_000);
});
