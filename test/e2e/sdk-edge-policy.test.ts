import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEvaluator, PolicyBundleRejected } from '@plinto/sdk/policy';
import { startTestApi, type TestApi } from '../src';
import { signedInUser } from '../src/users';
import { randomWorld, randomRequests, rng, type World } from './sdk-edge-policy.support';

/**
 * Edge policy evaluation: the tenant's signed policy bundle (`GET /t/{tenant}/authz/bundle`),
 * verified and evaluated inside workerd (miniflare) by @plinto/sdk/edge, gives the server's own
 * answer (`POST /v1/policies/evaluate/batch`) on thousands of random requests over random policy
 * worlds (priorities, deny, role inheritance, organizations, every kind of condition); a tampered,
 * expired, foreign or mistyped bundle is refused.
 */
const WORLDS = 5;
const REQUESTS_PER_WORLD = 1000;
const SEED = Number(process.env.EDGE_POLICY_SEED ?? Date.now() % 1_000_000);

let api: TestApi;
let mf: Miniflare;
const worlds: World[] = [];
const clients: { clientId: string; clientSecret: string }[] = [];
const tenantOf = (w: number) => `edge-policy-${w}`;

type Worker = { fetch(url: string, init?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; json(): Promise<any>; text(): Promise<string> }> };
const workers: Record<string, Worker> = {};

async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./sdk-edge.worker.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['worker', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function clientToken(w: number): Promise<string> {
  const { clientId, clientSecret } = clients[w]!;
  const res = await fetch(`${api.url}/t/${tenantOf(w)}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const getBundle = async (w: number, headers: Record<string, string> = {}) => fetch(`${api.url}/t/${tenantOf(w)}/authz/bundle`, { headers: { authorization: `Bearer ${await clientToken(w)}`, ...headers } });
const verifyAt = async (worker: string, jws: string) => (await workers[worker]!.fetch('http://edge.test/policy/verify', { method: 'POST', body: jws })).json() as Promise<{ accepted: boolean; reason?: string; version?: number }>;

beforeAll(async () => {
  api = await startTestApi();
  const random = rng(SEED);
  for (let w = 0; w < WORLDS; w++) {
    const tenant = tenantOf(w);
    expect((await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: tenant } })).status).toBe(201);
    const client = await api.rest('POST', '/v1/clients', { tenant, body: { name: 'edge policy', roles: ['admin'] } });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    clients.push({ clientId: client.body.clientId, clientSecret: client.body.clientSecret });
    // Organizations exist for real (policies name them); their owner's assignment is part of the world.
    const owner = await signedInUser(api, { email: `owner-${w}@example.com`, tenant });
    const orgs: string[] = [];
    for (const name of ['North', 'South']) {
      const org = await api.rest('POST', '/v1/orgs', { tenant, body: { name, ownerId: owner.id } });
      expect(org.status, JSON.stringify(org.body)).toBe(201);
      orgs.push(org.body.id);
    }
    worlds.push(await randomWorld(random, (method, path, body) => api.rest(method, path, { tenant, body }), orgs));
  }
  const script = await bundleWorker();
  const worker = (name: string, w: number, extra: Record<string, string> = {}) => ({
    name,
    modules: true,
    script,
    compatibilityDate: '2026-01-01',
    bindings: { PLINTO_URL: api.config.PUBLIC_URL, AUDIENCE: api.config.PUBLIC_URL, POLICY_TENANT: tenantOf(w), POLICY_CLIENT_ID: clients[w]!.clientId, POLICY_CLIENT_SECRET: clients[w]!.clientSecret, ...extra },
  });
  const definitions = [...worlds.map((_, w) => worker(`policy-${w}`, w)), worker('policy-later', 0, { CLOCK_OFFSET_MS: String(2 * 3_600_000) })];
  mf = new Miniflare({ workers: definitions });
  for (const { name } of definitions) workers[name] = (await mf.getWorker(name)) as unknown as Worker;
}, 300_000);
afterAll(() => mf?.dispose());

describe('the edge policy evaluator in workerd gives the server’s decisions', () => {
  it(`on ${WORLDS * REQUESTS_PER_WORLD} random requests over ${WORLDS} random policy worlds (seed ${SEED})`, async () => {
    const random = rng(SEED + 1);
    const coverage = { total: 0, allow: 0, deny: 0, byPolicy: 0, byRole: 0, defaultDeny: 0, inOrganization: 0 };
    for (let w = 0; w < WORLDS; w++) {
      const requests = randomRequests(random, worlds[w]!, REQUESTS_PER_WORLD);
      const server = await api.rest('POST', '/v1/policies/evaluate/batch', { tenant: tenantOf(w), body: { requests } });
      expect(server.status, JSON.stringify(server.body)).toBe(200);
      const edge = await workers[`policy-${w}`]!.fetch('http://edge.test/policy/evaluate', { method: 'POST', body: JSON.stringify({ requests, refresh: true }) });
      expect(edge.status).toBe(200);
      const edgeBody = (await edge.json()) as { results: { allow: boolean; policyId: string | null; roleId: string | null; policyVersion: number }[] };
      const mismatches: unknown[] = [];
      requests.forEach((request, i) => {
        const expected = server.body.results[i] as { result: { allow: boolean; policyId: string | null; roleId: string | null }; policyVersion: number };
        const got = edgeBody.results[i]!;
        const same = got.allow === expected.result.allow && got.policyId === expected.result.policyId && got.roleId === expected.result.roleId && got.policyVersion === expected.policyVersion;
        if (!same) mismatches.push({ request, server: { ...expected.result, version: expected.policyVersion }, edge: got });
        coverage.total++;
        if (expected.result.allow) coverage.allow++;
        else coverage.deny++;
        if (expected.result.policyId) coverage.byPolicy++;
        else if (expected.result.roleId) coverage.byRole++;
        else coverage.defaultDeny++;
        if (request.context?.organizationId) coverage.inOrganization++;
      });
      expect(mismatches.slice(0, 3), `world ${w}: ${mismatches.length} mismatches (seed ${SEED})`).toEqual([]);
    }
    console.log('edge policy property coverage:', JSON.stringify(coverage));
    expect(coverage.total).toBeGreaterThanOrEqual(5000);
    // The worlds exercise every way a decision is reached, not only default deny.
    for (const key of ['allow', 'byPolicy', 'byRole', 'defaultDeny', 'inOrganization'] as const) expect(coverage[key], key).toBeGreaterThan(100);
  }, 300_000);

  it('follows a policy change: a new version is fetched (200), an unchanged one revalidated (304)', async () => {
    const first = await getBundle(0);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/jose/);
    const etag = first.headers.get('etag')!;
    expect((await getBundle(0, { 'if-none-match': etag })).status).toBe(304);
    const lockdown = await api.rest('POST', '/v1/policies', { tenant: tenantOf(0), body: { name: 'lockdown', effect: 'deny', priority: 1000, subjects: ['*'], actions: ['doc:*'], resources: ['*'] } });
    expect(lockdown.status).toBe(201);
    const second = await getBundle(0, { 'if-none-match': etag });
    expect(second.status).toBe(200);
    expect(Number(second.headers.get('x-plinto-policy-version'))).toBeGreaterThan(Number(first.headers.get('x-plinto-policy-version')));
    const edge = await workers['policy-0']!.fetch('http://edge.test/policy/evaluate', {
      method: 'POST',
      body: JSON.stringify({ refresh: true, requests: [{ subject: 'user:alice', action: 'doc:read', resource: 'doc:1', context: { time: new Date().toISOString() } }] }),
    });
    expect((await edge.json()).results[0]).toMatchObject({ allow: false, policyId: lockdown.body.id });
  });
});

describe('a bundle is only used when it is the tenant’s own, intact and current', () => {
  it('accepts the genuine bundle; refuses tampered lines, a tampered signature, another tenant’s, alg none, an access token and an expired one', async () => {
    const jws = await (await getBundle(0)).text();
    const other = await (await getBundle(1)).text();
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    expect(await verifyAt('policy-0', jws)).toMatchObject({ accepted: true });
    // The attack: grant everyone everything at the top priority, keep the signature.
    const body = decode(payload);
    const escalated = { ...body, p: [['*', '*', '*', '*', 'allow', '0', 'policy:evil'], ...body.p] };
    expect(await verifyAt('policy-0', `${header}.${encode(escalated)}.${signature}`)).toEqual({ accepted: false, reason: 'signature' });
    // Stretch the lifetime, keep the signature.
    expect(await verifyAt('policy-0', `${header}.${encode({ ...body, exp: body.exp + 86_400 })}.${signature}`)).toEqual({ accepted: false, reason: 'signature' });
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = flipped[0]! ^ 0xff;
    expect(await verifyAt('policy-0', `${header}.${payload}.${flipped.toString('base64url')}`)).toEqual({ accepted: false, reason: 'signature' });
    expect(await verifyAt('policy-0', other)).toEqual({ accepted: false, reason: 'tenant' });
    expect(await verifyAt('policy-0', `${encode({ ...decode(header), alg: 'none' })}.${payload}.`)).toEqual({ accepted: false, reason: 'algorithm' });
    expect(await verifyAt('policy-0', `${encode({ ...decode(header), typ: 'at+jwt' })}.${payload}.${signature}`)).toEqual({ accepted: false, reason: 'type' });
    expect(await verifyAt('policy-0', await clientToken(0))).toEqual({ accepted: false, reason: 'type' });
    expect(await verifyAt('policy-later', jws)).toEqual({ accepted: false, reason: 'expired' });
  });

  it('an evaluator never goes back to an older version (a replayed bundle)', async () => {
    const old = await (await getBundle(2)).text();
    expect((await api.rest('POST', '/v1/policies', { tenant: tenantOf(2), body: { name: 'newer', effect: 'allow', subjects: ['user:zed'], actions: ['doc:read'], resources: ['*'] } })).status).toBe(201);
    const evaluator = createPolicyEvaluator({ publicUrl: api.config.PUBLIC_URL, tenant: tenantOf(2), client: clients[2]! });
    const current = await evaluator.refresh();
    await expect(evaluator.accept(old)).rejects.toMatchObject({ reason: 'rollback' });
    expect(evaluator.current?.payload.ver).toBe(current.payload.ver);
    expect(PolicyBundleRejected).toBeDefined();
  });

  it('the bundle endpoint needs a credential of that tenant holding policies:evaluate', async () => {
    const url = `${api.url}/t/${tenantOf(0)}/authz/bundle`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const foreign = await fetch(url, { headers: { authorization: `Bearer ${await clientToken(1)}` } });
    expect(foreign.status).toBe(403);
    const outsider = await api.rest('POST', '/v1/clients', { tenant: tenantOf(0), body: { name: 'no roles' } });
    const token = await fetch(`${api.url}/t/${tenantOf(0)}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${outsider.body.clientId}:${outsider.body.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const refused = await fetch(url, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toMatch(/FORBIDDEN|PERMISSION/);
  });
});
