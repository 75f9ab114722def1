import { beforeAll, describe, expect, it } from 'vitest';
import { engineOf } from '@plinto/authz';
import { forkApp, startTestApi, type TestApi } from '../src';
import { callerAs, userPrincipal } from '../src/authz';

/**
 * Two api processes' worth of engines on one database and one Redis: a change made through one is
 * enforced by the other within a second (Redis pub/sub invalidation), although the other had the
 * old decision cached.
 */
let api1: TestApi;
let api2: TestApi;
let tenantId: string;
const T = 'authz-cluster';

beforeAll(async () => {
  api1 = await startTestApi();
  api2 = await startTestApi({ DATABASE_URL: api1.config.DATABASE_URL, QUEUE_PREFIX: api1.config.QUEUE_PREFIX });
  tenantId = (await api1.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Cluster' } })).body.id;
});

const evaluateOn = async (api: TestApi, subject: string, action: string) => {
  const res = await api.rest('POST', '/v1/policies/evaluate', { tenant: T, body: { subject, action, resource: 'report:1' } });
  expect(res.status).toBe(200);
  return res.body.result.allow as boolean;
};

/** Polls until `probe` is true; returns how long it took (ms). */
async function timeUntil(probe: () => Promise<boolean>, limitMs = 5000): Promise<number> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > limitMs) throw new Error('never happened');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

describe('policy changes reach every api process within a second', () => {
  it('a role revoked through api 1 stops access through api 2', async () => {
    const role = await api1.rest('POST', '/v1/policies/roles', { tenant: T, body: { name: 'reporter', permissions: ['reports:read', 'policies:read'] } });
    expect(role.status).toBe(201);
    expect((await api1.rest('POST', `/v1/policies/roles/${role.body.id}/assign`, { tenant: T, body: { userId: 'zoe' } })).status).toBe(201);

    // api 2 allows, and has the decision cached (the second answer is a cache hit).
    const engine2 = engineOf(api2.server);
    expect(await evaluateOn(api2, 'user:zoe', 'reports:read')).toBe(true);
    const hits = engine2.cache.hits;
    expect(await evaluateOn(api2, 'user:zoe', 'reports:read')).toBe(true);
    expect(engine2.cache.hits).toBe(hits + 1);
    // And a real protected procedure on api 2 lets zoe in.
    const zoe = () => callerAs(api2, userPrincipal('zoe', tenantId)).call();
    expect((await (await zoe()).policies.list({ limit: 1 })).items).toBeDefined();

    const compiledBefore = await engine2.snapshot(tenantId);
    const versionBefore = compiledBefore.version;
    const revoked = await api1.rest('DELETE', `/v1/policies/roles/${role.body.id}/unassign?userId=zoe`, { tenant: T });
    expect(revoked.status).toBe(200);
    const elapsed = await timeUntil(async () => !(await evaluateOn(api2, 'user:zoe', 'reports:read')));
    expect(elapsed).toBeLessThan(1000);
    await expect((await zoe()).policies.list({ limit: 1 })).rejects.toMatchObject({ appCode: 'FORBIDDEN' });
    // api 2 applied the published delta to its compiled policy: no reload, no scan of the policy.
    const compiledAfter = await engine2.snapshot(tenantId);
    expect(compiledAfter).toBe(compiledBefore);
    expect(compiledAfter.version).toBe(versionBefore + 1);
  });

  it('a deny created through api 2 is enforced by api 1', async () => {
    await api1.rest('POST', '/v1/policies', { tenant: T, body: { name: 'all read', effect: 'allow', subjects: ['*'], actions: ['wiki:read'], resources: ['*'] } });
    expect(await evaluateOn(api1, 'user:yan', 'wiki:read')).toBe(true);
    const deny = await api2.rest('POST', '/v1/policies', { tenant: T, body: { name: 'not yan', effect: 'deny', subjects: ['user:yan'], actions: ['wiki:*'], resources: ['*'] } });
    expect(deny.status).toBe(201);
    const elapsed = await timeUntil(async () => !(await evaluateOn(api1, 'user:yan', 'wiki:read')));
    expect(elapsed).toBeLessThan(1000);
    expect(await evaluateOn(api1, 'user:other', 'wiki:read')).toBe(true);
  });
});

describe('across operating-system processes', () => {
  it('a role revoked through this process stops access through a forked api process within a second', async () => {
    const key = `plk_fork_${'f'.repeat(40)}`;
    const forked = await forkApp('api', {
      DATABASE_URL: api1.config.DATABASE_URL,
      QUEUE_PREFIX: api1.config.QUEUE_PREFIX,
      REDIS_URL: api1.config.REDIS_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      PLINTO_BOOTSTRAP_API_KEY: key,
    });
    const evaluateForked = async () => {
      const res = await fetch(`${forked.ready.url}/v1/policies/evaluate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'x-plinto-tenant': T, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'user:xena', action: 'charts:read', resource: 'chart:1' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { allow: boolean } }).result.allow;
    };
    const role = await api1.rest('POST', '/v1/policies/roles', { tenant: T, body: { name: 'charts', permissions: ['charts:read'] } });
    await api1.rest('POST', `/v1/policies/roles/${role.body.id}/assign`, { tenant: T, body: { userId: 'xena' } });
    await timeUntil(evaluateForked);
    expect(await evaluateForked()).toBe(true);
    const revoked = await api1.rest('DELETE', `/v1/policies/roles/${role.body.id}/unassign?userId=xena`, { tenant: T });
    expect(revoked.status).toBe(200);
    expect(await timeUntil(async () => !(await evaluateForked()))).toBeLessThan(1000);
  });
});
