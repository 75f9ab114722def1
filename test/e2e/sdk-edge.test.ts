import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SignJWT, generateKeyPair } from 'jose';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, waitFor, type TestApi } from '../src';
import { signedInUser } from '../src/users';

/**
 * The Workers middleware (@plinto/sdk/edge, WebCrypto only) running in workerd through miniflare
 * against a running Plinto: valid tokens pass; forged, expired, wrong-audience and wrong-tenant
 * ones are refused; a key rotation is followed; a revoked session is refused within the window.
 */
let api: TestApi;
let mf: Miniflare;
const TENANT = 'sdk-edge';
const OTHER = 'sdk-edge-other';
const REVOCATION_CACHE_MS = 1000;

/** The worker source bundled as an app's build would (esbuild, ESM, browser platform: no Node APIs). */
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

type Worker = { fetch(url: string, init?: { headers?: Record<string, string> }): Promise<{ status: number; json(): Promise<unknown>; headers: { get(name: string): string | null } }> };
const workers: Record<string, Worker> = {};
const call = (name: string, token?: string) => workers[name]!.fetch('http://edge.test/private', { headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  api = await startTestApi();
  for (const slug of [TENANT, OTHER]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  const client = await api.rest('POST', '/v1/clients', { tenant: TENANT, body: { name: 'edge revocation' } });
  expect(client.status).toBe(201);
  const script = await bundleWorker();
  const base = { PLINTO_URL: api.config.PUBLIC_URL, AUDIENCE: api.config.PUBLIC_URL };
  const worker = (name: string, bindings: Record<string, string>) => ({ name, modules: true, script, compatibilityDate: '2026-01-01', bindings: { ...base, ...bindings } });
  mf = new Miniflare({
    workers: [
      worker('edge', { TENANTS: TENANT }),
      worker('later', { TENANTS: TENANT, CLOCK_OFFSET_MS: String(3_600_000) }),
      worker('other-audience', { AUDIENCE: 'https://api.other.example' }),
      worker('revocation', { TENANTS: TENANT, INTROSPECTION_CLIENT_ID: client.body.clientId, INTROSPECTION_CLIENT_SECRET: client.body.clientSecret, REVOCATION_CACHE_MS: String(REVOCATION_CACHE_MS) }),
    ],
  });
  for (const name of ['edge', 'later', 'other-audience', 'revocation']) workers[name] = (await mf.getWorker(name)) as unknown as Worker;
}, 120_000);
afterAll(() => mf?.dispose());

describe('withPlintoAuth in workerd (miniflare)', () => {
  it('lets a valid token through, with its subject and tenant, in the Workers runtime', async () => {
    const ada = await signedInUser(api, { email: 'ada@example.com', tenant: TENANT });
    const res = await call('edge', ada.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: ada.id, tenant: TENANT, runtime: 'Cloudflare-Workers' });
  });

  it('refuses missing, forged, tampered, expired, wrong-audience and wrong-tenant tokens with 401', async () => {
    const eve = await signedInUser(api, { email: 'eve@example.com', tenant: TENANT });
    const [header, payload] = eve.token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ ...payload, sub: 'admin' }).setProtectedHeader({ ...header, alg: 'EdDSA' }).sign(privateKey);
    const reencoded = (h: object) => `${Buffer.from(JSON.stringify({ ...header, ...h })).toString('base64url')}.${eve.token.split('.').slice(1).join('.')}`;
    const mallory = await signedInUser(api, { email: 'mallory@example.com', tenant: OTHER });

    const expectRefused = async (name: string, worker: string, token: string | undefined, reason: string) => {
      const res = await call(worker, token);
      expect(res.status, name).toBe(401);
      expect(res.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="plinto"/);
      expect(await res.json(), name).toMatchObject({ error: { reason } });
    };
    await expectRefused('missing', 'edge', undefined, 'missing');
    await expectRefused('forged', 'edge', forged, 'signature');
    await expectRefused('alg none', 'edge', reencoded({ alg: 'none' }), 'algorithm');
    await expectRefused('typ JWT', 'edge', reencoded({ typ: 'JWT' }), 'type');
    await expectRefused('expired (an hour later)', 'later', eve.token, 'expired');
    await expectRefused('wrong audience', 'other-audience', eve.token, 'claims');
    await expectRefused('wrong tenant', 'edge', mallory.token, 'issuer');
    expect((await call('edge', eve.token)).status).toBe(200);
  });

  it('follows a signing-key rotation', async () => {
    const before = await signedInUser(api, { email: 'rot-before@example.com', tenant: TENANT });
    expect((await call('edge', before.token)).status).toBe(200);
    expect((await api.rest('POST', '/v1/signing-keys/rotate', { tenant: TENANT, body: {} })).status).toBe(201);
    const after = await signedInUser(api, { email: 'rot-after@example.com', tenant: TENANT });
    expect(after.token.split('.')[0]).not.toBe(before.token.split('.')[0]);
    expect((await call('edge', after.token)).status).toBe(200);
    expect((await call('edge', before.token)).status).toBe(200);
  });

  it(`refuses a revoked session within ${REVOCATION_CACHE_MS} ms (plus one introspection)`, async () => {
    const carol = await signedInUser(api, { email: 'carol@example.com', tenant: TENANT });
    expect((await call('revocation', carol.token)).status).toBe(200);
    expect((await call('revocation', carol.token)).status).toBe(200);
    expect((await api.rest('POST', '/v1/auth/sign-out', { token: carol.token, body: {} })).status).toBe(200);
    const revokedAt = Date.now();
    await waitFor(async () => (await call('revocation', carol.token)).status === 401, 'the edge refuses the revoked session', 15_000, 50);
    expect(Date.now() - revokedAt).toBeLessThan(REVOCATION_CACHE_MS + 2000);
  });
});
