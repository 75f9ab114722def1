import { beforeAll, describe, expect, it } from 'vitest';
import { maintenanceTasks } from '@plinto/workers';
import { signedInUser, startPrivateRedis, startTestApi, startTestWorkers, waitFor, type PrivateRedis, type TestApi } from '../src';
import { sql } from './auth-helpers';

/**
 * Signing keys on the maintenance schedule (rotation, retirement), and the revocation check when
 * Redis goes away or comes back empty: PostgreSQL answers, and an empty Redis is not believed.
 */
let api: TestApi;
let redis: PrivateRedis;

beforeAll(async () => {
  redis = await startPrivateRedis();
  api = await startTestApi({ REDIS_URL: redis.url });
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
});

const me = (token: string) => api.rest('GET', '/v1/me', { token });
const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
/** The access-token keys in the JWKS (the ID-token keys beside them, RS256 here, rotate with them: oidc-id-token-algs.test.ts). */
const jwksKids = async () =>
  ((await (await fetch(`${api.url}/t/acme/.well-known/jwks.json`)).json()).keys as { kid: string; alg: string }[]).filter((k) => k.alg !== 'RS256').map((k) => k.kid);

describe('scheduled signing-key rotation and retirement', () => {
  it('rotates a key past its age, keeps the old one published until its tokens expired, then retires it', async () => {
    const user = await signedInUser(api, { email: 'keys@acme.test', tenant: 'acme' });
    const oldKid = kidOf(user.token);
    await sql(api, `update signing_keys set created_at = now() - interval '31 days' where kid = $1`, [oldKid]);
    const task = maintenanceTasks.find((t) => t.name === 'auth.signing-keys');
    expect(task).toBeDefined();
    const workers = await startTestWorkers(api.config, { tasks: [{ ...task!, everyMs: 200 }] });
    const [fresh] = await waitFor(async () => sql(api, `select kid from signing_keys k join tenants t on t.id = k.tenant_id where t.slug = 'acme' and k.status = 'current' and k.kid <> $1`, [oldKid]).then((r) => (r.length ? r : null)), 'a scheduled rotation');
    expect(await jwksKids()).toEqual(expect.arrayContaining([oldKid, fresh.kid]));
    // A token signed before the rotation still verifies.
    expect((await me(user.token)).status).toBe(200);
    const [{ retire_after }] = await sql(api, `select retire_after from signing_keys where kid = $1`, [oldKid]);
    // Retirement waits for access-token lifetime + leeway past the rotation.
    expect(new Date(retire_after).getTime()).toBeGreaterThan(Date.now() + 600_000);
    await sql(api, `update signing_keys set retire_after = now() - interval '1 second' where kid = $1`, [oldKid]);
    await waitFor(async () => (await sql(api, `select status from signing_keys where kid = $1`, [oldKid]))[0].status === 'retired', 'the retirement');
    expect(await jwksKids()).toEqual([fresh.kid]);
    const events = (await sql(api, `select action, actor_type, data from audit_events where action like 'signing_key.%' order by occurred_at`)).map((e) => [e.action, e.actor_type, e.data.reason]);
    expect(events).toEqual([
      ['signing_key.rotated', 'system', 'scheduled'],
      ['signing_key.retired', 'system', undefined],
    ]);
    await workers.close();
  });
});

describe('revocation when Redis fails', () => {
  it('falls back to PostgreSQL while Redis is down, and does not believe a Redis that came back empty', async () => {
    const kept = await signedInUser(api, { email: 'kept@acme.test', tenant: 'acme' });
    const ended = await signedInUser(api, { email: 'ended@acme.test', tenant: 'acme' });
    expect((await me(ended.token)).status).toBe(200);
    await redis.stop();
    // Still answered (from PostgreSQL) — and a revocation made now is honoured at once.
    expect((await me(kept.token)).status).toBe(200);
    expect((await api.rest('POST', '/v1/auth/sign-out', { token: ended.token })).status).toBe(200);
    const refused = await me(ended.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.details.reason).toBe('revoked');
    // Redis restarts with nothing in it (no persistence): the revocation is not there, and not
    // believed absent either — PostgreSQL answers until Redis has been refilled.
    await redis.start();
    // The api's connection is back (its /ready says so) before the checks below.
    await waitFor(async () => (await api.rest('GET', '/ready')).status === 200, 'the api to reconnect to Redis', 15_000);
    expect((await me(ended.token)).status).toBe(401);
    expect((await me(kept.token)).status).toBe(200);
    const { Redis } = await import('ioredis');
    const probe = new Redis(redis.url);
    await waitFor(async () => (await probe.exists(`${api.config.QUEUE_PREFIX}:revoked:ready`)) === 1, 'Redis to be refilled');
    const [{ id }] = await sql(api, `select id from sessions where user_id = $1`, [ended.id]);
    expect(await probe.exists(`${api.config.QUEUE_PREFIX}:revoked:sid:${id}`)).toBe(1);
    probe.disconnect();
    expect((await me(ended.token)).status).toBe(401);
  });
});

describe('revocation across api processes', () => {
  it("a sign-out through one api stops the session's access token at another within a second", async () => {
    // Two apis on one database and Redis, one public URL (so one issuer per tenant), as behind a load balancer.
    // A hash-tagged prefix, so this runs on a Redis Cluster too (redis-cluster-suites.test.ts).
    const shared = { QUEUE_PREFIX: `{t_${Math.random().toString(36).slice(2, 10)}}`, PUBLIC_URL: 'http://plinto.cluster.test' };
    const first = await startTestApi(shared);
    const second = await startTestApi({ ...shared, DATABASE_URL: first.config.DATABASE_URL, PLINTO_MASTER_KEY: first.config.PLINTO_MASTER_KEY! });
    const user = await signedInUser(first, { email: 'cluster@default.test' });
    const at = (api: TestApi) => api.rest('GET', '/v1/me', { token: user.token });
    expect((await at(second)).status).toBe(200);
    expect((await first.rest('POST', '/v1/auth/sign-out', { token: user.token })).status).toBe(200);
    // No wall-clock bound (the machine may be busy); the revocation reaches it through Redis.
    await waitFor(async () => (await at(second)).status === 401, 'the other api to refuse the token', 15_000, 20);
  });

  it('a machine client revoked through one api gets no more tokens from another that had it cached, within a second', async () => {
    const shared = { QUEUE_PREFIX: `{t_${Math.random().toString(36).slice(2, 10)}}`, PUBLIC_URL: 'http://plinto.cluster.test' };
    const first = await startTestApi(shared);
    const second = await startTestApi({ ...shared, DATABASE_URL: first.config.DATABASE_URL, PLINTO_MASTER_KEY: first.config.PLINTO_MASTER_KEY! });
    const client = (await first.rest('POST', '/v1/clients', { body: { name: 'cached', roles: [] } })).body;
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    const grant = (api: TestApi) =>
      fetch(`${api.url}/t/default/oauth/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    // The second api now remembers the client (no database read on its next grants).
    expect((await grant(second)).status).toBe(200);
    expect((await grant(second)).status).toBe(200);
    expect((await first.rest('DELETE', `/v1/clients/${client.id}`)).status).toBe(200);
    const started = Date.now();
    await waitFor(async () => (await grant(second)).status === 401, 'the other api to refuse the revoked client', 1000, 20);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('signing key provisioning', () => {
  it('gives a new tenant its first key as soon as its creation commits', async () => {
    const workers = await startTestWorkers(api.config, { tasks: [] });
    const created = await api.rest('POST', '/v1/tenants', { body: { slug: 'newcomer', name: 'Newcomer' } });
    expect(created.status).toBe(201);
    const [key] = await waitFor(async () => {
      const rows = await sql(api, `select kid, status, alg from signing_keys where tenant_id = $1`, [created.body.id]);
      return rows.length ? rows : null;
    }, 'the new tenant to get a signing key');
    expect(key).toMatchObject({ status: 'current', alg: 'EdDSA' });
    await workers.close();
  });
});
