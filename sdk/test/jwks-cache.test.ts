import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenRejected, createTokenVerifier } from '../src/server/index.js';

/**
 * The JWKS cache's promises, against a real HTTP server on loopback that counts its hits: one fetch
 * for a burst of cold verifications, stale-while-revalidate, a cooldown on unknown kids, and a
 * stale key set kept (within its window) while the server is down.
 */
let server: Server;
let url = '';
let hits = 0;
let down = false;
let keys: { kid: string; privateKey: CryptoKey; jwk: object }[] = [];

async function newKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { kid, privateKey: privateKey as CryptoKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

const token = (kid: string, now = Date.now()) => {
  const key = keys.find((k) => k.kid === kid)!;
  return new SignJWT({ tid: 'tenant-1', sid: 's1' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
    .setIssuer(`${url}/t/acme`)
    .setAudience('https://api.example.com')
    .setSubject('user-1')
    .setJti(`jti-${Math.random()}`)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 600)
    .sign(key.privateKey);
};

beforeAll(async () => {
  keys = [await newKey('k1')];
  server = createServer((req, res) => {
    hits += 1;
    if (down || req.url !== '/t/acme/.well-known/jwks.json') return void res.writeHead(down ? 503 : 404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('JwksCache', () => {
  it('fetches once for a burst of cold verifications (single flight)', async () => {
    hits = 0;
    const verifier = createTokenVerifier({ publicUrl: url, audience: 'https://api.example.com' });
    const t = await token('k1');
    const results = await Promise.all(Array.from({ length: 25 }, () => verifier.verify(t)));
    expect(results.every((r) => r.claims.sub === 'user-1')).toBe(true);
    expect(hits).toBe(1);
  });

  it('serves a stale key set while one background refetch runs, then the fresh one', async () => {
    let clock = Date.now();
    const verifier = createTokenVerifier({ publicUrl: url, audience: 'https://api.example.com', jwks: { now: () => clock, staleWhileRevalidateMs: 60_000 } });
    const t = await token('k1');
    await verifier.verify(t);
    hits = 0;
    clock += 301_000; // past max-age, within stale-while-revalidate
    await Promise.all([verifier.verify(t), verifier.verify(t), verifier.verify(t)]);
    await expect.poll(() => hits).toBe(1);
    expect(verifier.jwks.fetches).toBe(2);
  });

  it('refetches on an unknown kid (a rotation) at most once per cooldown', async () => {
    let clock = Date.now();
    const verifier = createTokenVerifier({ publicUrl: url, audience: 'https://api.example.com', jwks: { now: () => clock, unknownKidCooldownMs: 30_000 } });
    await verifier.verify(await token('k1'));
    keys.push(await newKey('k2'));
    hits = 0;
    await expect(verifier.verify(await token('k2'))).resolves.toMatchObject({ claims: { sub: 'user-1' } });
    expect(hits).toBe(1);
    const forged = (await token('k2')).replace(/"kid":"k2"/, '');
    for (let i = 0; i < 10; i++) {
      const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: `nope-${i}` })).toString('base64url');
      await expect(verifier.verify(`${header}.${forged.split('.')[1]}.${forged.split('.')[2]}`)).rejects.toMatchObject({ reason: 'unknown_key' });
    }
    expect(hits).toBe(1);
    clock += 31_000;
    await expect(verifier.verify(`${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'nope-x' })).toString('base64url')}.${forged.split('.')[1]}.AAAA`)).rejects.toBeInstanceOf(AccessTokenRejected);
    expect(hits).toBe(2);
  });

  it('keeps verifying with a stale key set while the server is down, until the window closes', async () => {
    let clock = Date.now();
    const verifier = createTokenVerifier({ publicUrl: url, audience: 'https://api.example.com', jwks: { now: () => clock, staleWhileRevalidateMs: 60_000 } });
    const t = await token('k1');
    await verifier.verify(t);
    down = true;
    try {
      clock += 320_000; // stale, server down: still verifies
      await expect(verifier.verify(t)).resolves.toBeTruthy();
      clock += 60_000; // past the stale window: no keys to trust
      await expect(verifier.verify(t)).rejects.toThrow(/JWKS fetch failed: 503/);
    } finally {
      down = false;
    }
  });
});

describe('plintoEdgeMiddleware (Next.js / Vercel edge shape: Request in, Response or undefined out)', () => {
  it('continues for a valid token and answers 401 otherwise', async () => {
    const { plintoEdgeMiddleware } = await import('../src/edge/index.js');
    const middleware = plintoEdgeMiddleware({ publicUrl: url, audience: 'https://api.example.com', tenants: ['acme'] });
    const request = (authorization?: string) => new Request('https://app.example.com/dashboard', { headers: authorization ? { authorization } : {} });
    expect(await middleware(request(`Bearer ${await token('k1')}`))).toBeUndefined();
    const missing = await middleware(request());
    expect(missing?.status).toBe(401);
    expect(missing?.headers.get('www-authenticate')).toBe('Bearer realm="plinto"');
    const [h, p] = (await token('k1')).split('.');
    const tampered = await middleware(request(`Bearer ${h}.${p}.${Buffer.alloc(64).toString('base64url')}`));
    expect(tampered?.status).toBe(401);
    expect(await tampered?.json()).toMatchObject({ error: { code: 'INVALID_TOKEN', reason: 'signature' } });
  });
});
