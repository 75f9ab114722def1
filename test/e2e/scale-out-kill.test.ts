import { describe, expect, it } from 'vitest';
import { forkApp, freePort, sqlClient, testConfig, waitFor, restClient, type ChildApp } from '../src';
import { startRoundRobinProxy } from '../src/round-robin-proxy';
import { startReceiver } from './webhooks.receiver';

const WRITES = 400;
const WRITERS = 8;

/**
 * Out of one process: 2 api and 2 worker processes on one PostgreSQL and Redis, behind a loopback
 * round-robin balancer. Mid-load, one api and one worker are SIGKILLed (no goodbye: requests in
 * hand, jobs locked, a relay transaction open). Then:
 * - clients saw only retryable errors (502/503 with Retry-After, from the balancer or a draining api);
 * - every accepted write (201) is applied exactly once, with exactly one audit event;
 * - a write whose answer was lost (502) is applied at most once — never twice;
 * - every applied write's webhook is delivered (the survivors take over the dead worker's jobs).
 */
describe('scale-out: 2 api + 2 workers behind a balancer, one of each killed under load', () => {
  it('keeps every accepted write once, its audit event and its webhook; clients see only retryable errors', async () => {
    const config = await testConfig();
    const proxyPort = await freePort();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      PLINTO_MASTER_KEY: config.PLINTO_MASTER_KEY!,
      PLINTO_BOOTSTRAP_API_KEY: config.PLINTO_BOOTSTRAP_API_KEY!,
      // One public URL for both apis (one issuer per tenant), as behind a real balancer.
      PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
      OUTBOX_POLL_INTERVAL_MS: '25',
      WORKERS_MAINTENANCE: 'false',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,500ms',
      WEBHOOK_CLAIM_TIMEOUT: '2s',
      // Jobs the killed worker held are taken over within seconds, not BullMQ's default 30 s.
      QUEUE_LOCK_DURATION_MS: '2000',
    };
    const apis: ChildApp[] = [];
    for (let i = 0; i < 2; i++) apis.push(await forkApp('api', env));
    const workers: ChildApp[] = [];
    for (let i = 0; i < 2; i++) workers.push(await forkApp('workers', env));
    const proxy = await startRoundRobinProxy(
      apis.map((a) => (a as ChildApp & { ready: { url: string } }).ready.url),
      proxyPort,
    );
    const rest = restClient(proxy.url, config.PLINTO_BOOTSTRAP_API_KEY);
    const sql = sqlClient(config.DATABASE_URL);

    expect((await rest('POST', '/v1/tenants', { body: { slug: 'scale', name: 'Scale' } })).status).toBe(201);
    const receiver = await startReceiver();
    const endpoint = await rest('POST', '/v1/webhooks/endpoints', { tenant: 'scale', body: { url: receiver.url, eventTypes: ['organization.created'] } });
    expect(endpoint.status).toBe(201);
    receiver.secrets = [endpoint.body.secret];

    const outcomes = new Map<string, number | 'network'>(); // slug → status
    let next = 0;
    const load = Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < WRITES) {
          const slug = `org-${next++}`;
          try {
            outcomes.set(slug, (await rest('POST', '/v1/orgs', { tenant: 'scale', body: { name: slug, slug } })).status);
          } catch {
            outcomes.set(slug, 'network');
          }
        }
      }),
    );
    await waitFor(() => receiver.uniqueIds().size >= 60, 'writes and deliveries under way', 60_000);
    for (const victim of [apis[0]!, workers[0]!]) {
      victim.child.kill('SIGKILL');
      await victim.exited;
    }
    const writtenAtKill = next;
    await load;
    expect(writtenAtKill).toBeLessThan(WRITES);

    const statuses = [...outcomes.values()];
    const unexpected = statuses.filter((s) => s !== 201 && s !== 502 && s !== 503);
    expect(unexpected).toEqual([]);
    const accepted = [...outcomes].filter(([, s]) => s === 201).map(([slug]) => slug);
    const ambiguous = [...outcomes].filter(([, s]) => s !== 201).map(([slug]) => slug);
    expect(accepted.length).toBeGreaterThan(WRITES / 2);

    const { rows: orgs } = await sql.query(`select o.id, o.slug from organizations o join tenants t on t.id = o.tenant_id where t.slug = 'scale'`);
    const bySlug = new Map<string, string[]>();
    for (const o of orgs) bySlug.set(o.slug, [...(bySlug.get(o.slug) ?? []), o.id]);
    for (const slug of accepted) expect(bySlug.get(slug), `accepted ${slug}`).toHaveLength(1);
    for (const slug of ambiguous) expect((bySlug.get(slug) ?? []).length, `ambiguous ${slug}`).toBeLessThanOrEqual(1);

    // One audit event per applied write, and each one's webhook delivered (verified signature).
    const { rows: events } = await sql.query(`select id, target_id from audit_events where action = 'organization.created'`);
    expect(events.map((e) => e.target_id).sort()).toEqual(orgs.map((o) => o.id).sort());
    await waitFor(
      () => {
        const delivered = new Set(receiver.deliveries.filter((d) => d.verifiedWith.length === 1).map((d) => d.payload?.id));
        return events.every((e) => delivered.has(e.id));
      },
      'every applied write delivered',
      90_000,
      100,
    );
    console.info(`scale-out: ${accepted.length} accepted, ${ambiguous.length} answered 502/503 (${ambiguous.filter((s) => bySlug.has(s)).length} of those applied); served ${JSON.stringify([...proxy.served.values()])}`);
    await proxy.close();
  }, 240_000);
});
