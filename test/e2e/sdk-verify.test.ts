import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenRejected, createIntrospectionRevocationCheck, createTokenVerifier, plintoAuth, verifyAccessToken } from '@plinto/sdk/server';
import { onCleanup, startTestApi, waitFor, type TestApi } from '../src';
import { signedInUser } from '../src/users';

/**
 * The SDK's token verification (WebCrypto, the shared token rules) against a running Plinto: what
 * the server accepts it accepts, and every attack the server refuses it refuses too.
 */
let api: TestApi;
let audience: string;
const TENANT = 'sdk-verify';
const OTHER = 'sdk-verify-other';

beforeAll(async () => {
  api = await startTestApi();
  audience = api.config.PUBLIC_URL;
  for (const slug of [TENANT, OTHER]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
});

const user = (email: string, tenant = TENANT) => signedInUser(api, { email, tenant });
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof AccessTokenRejected ? error.reason : `unexpected: ${String(error)}`),
  );

/** Re-signs a token's claims with a key of our own (the attacker's), keeping its header's kid. */
async function forge(token: string, patch: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}) {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return new SignJWT({ ...payload, ...patch.claims }).setProtectedHeader({ ...header, alg: 'EdDSA', ...patch.header }).sign(privateKey);
}

/** Re-encodes a token with a changed header or payload but its original signature. */
function tamper(token: string, patch: { header?: Record<string, unknown>; claims?: Record<string, unknown> }) {
  const [header, payload, signature] = token.split('.');
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const h = { ...JSON.parse(Buffer.from(header!, 'base64url').toString()), ...patch.header };
  const p = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ...patch.claims };
  return `${encode(h)}.${encode(p)}.${signature}`;
}

describe('verifyAccessToken (Node, WebCrypto) against a running Plinto', () => {
  it('accepts a token Plinto issued: tenant, subject and claims', async () => {
    const ada = await user('ada@example.com');
    const verified = await verifyAccessToken(ada.token, { publicUrl: api.config.PUBLIC_URL, audience });
    expect(verified).toMatchObject({ tenantSlug: TENANT, claims: { sub: ada.id, iss: `${api.config.PUBLIC_URL}/t/${TENANT}` } });
    expect(verified.tenantId).toEqual(expect.any(String));
  });

  it('refuses forged, tampered, wrong-audience, wrong-tenant and rule-breaking tokens', async () => {
    const eve = await user('eve@example.com');
    const verifier = createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience, tenants: [TENANT] });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string | Promise<string>, string][] = [
      ['signed with another key', forge(eve.token), 'signature'],
      ['claims changed after signing', tamper(eve.token, { claims: { sub: 'someone-else' } }), 'signature'],
      ['alg none', tamper(eve.token, { header: { alg: 'none' } }), 'algorithm'],
      ['HS256', tamper(eve.token, { header: { alg: 'HS256' } }), 'algorithm'],
      ['embedded jwk', forge(eve.token, { header: { jwk: { kty: 'OKP' } } }), 'header'],
      ['jku', tamper(eve.token, { header: { jku: 'http://127.0.0.1:1/keys' } }), 'header'],
      ['crit', tamper(eve.token, { header: { crit: ['exp'] } }), 'header'],
      ['an ID token (typ JWT)', tamper(eve.token, { header: { typ: 'JWT' } }), 'type'],
      ['unknown kid', tamper(eve.token, { header: { kid: 'made-up' } }), 'unknown_key'],
      ['another issuer', forge(eve.token, { claims: { iss: 'https://evil.example/t/sdk-verify' } }), 'issuer'],
      ['expired (forged)', forge(eve.token, { claims: { exp: now - 3600 } }), 'signature'],
      ['not a JWT', 'abc.def', 'malformed'],
    ];
    for (const [name, token, reason] of cases) expect(await rejection(verifier.verify(await token)), name).toBe(reason);

    // The right signature, the wrong audience (the app expects its own).
    expect(await rejection(createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience: 'https://other-api.example' }).verify(eve.token))).toBe('claims');
    // A genuine token of another tenant, for an app that serves only this one.
    const mallory = await user('mallory@example.com', OTHER);
    expect(await rejection(verifier.verify(mallory.token))).toBe('issuer');
    // The other tenant's token re-labelled as this tenant's: its key is not one of this tenant's keys.
    expect(await rejection(verifier.verify(tamper(mallory.token, { claims: { iss: `${api.config.PUBLIC_URL}/t/${TENANT}` } })))).toMatch(/unknown_key|signature/);
  });

  it('refuses an expired token beyond the clock tolerance and accepts it within', async () => {
    const bob = await user('bob@example.com');
    const exp = JSON.parse(Buffer.from(bob.token.split('.')[1]!, 'base64url').toString()).exp as number;
    const at = (seconds: number) => createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience, clockToleranceSeconds: 30, now: () => seconds * 1000 });
    expect(await rejection(at(exp + 20).verify(bob.token))).toBeNull();
    expect(await rejection(at(exp + 31).verify(bob.token))).toBe('expired');
  });

  it('follows a key rotation: one refetch for the new kid, none for a flood of made-up kids', async () => {
    const verifier = createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience, jwks: { unknownKidCooldownMs: 60_000 } });
    const before = await user('rot1@example.com');
    await verifier.verify(before.token);
    const fetches = verifier.jwks.fetches;
    for (let i = 0; i < 20; i++) await rejection(verifier.verify(tamper(before.token, { header: { kid: `bogus-${i}` } })));
    expect(verifier.jwks.fetches - fetches).toBeLessThanOrEqual(1);

    const fresh = createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience });
    await fresh.verify(before.token);
    const rotated = await api.rest('POST', '/v1/signing-keys/rotate', { tenant: TENANT, body: {} });
    expect(rotated.status).toBe(201);
    const after = await user('rot2@example.com');
    expect(after.token.split('.')[0]).not.toBe(before.token.split('.')[0]);
    await expect(fresh.verify(after.token)).resolves.toMatchObject({ claims: { sub: after.id } });
    await expect(fresh.verify(before.token)).resolves.toBeTruthy();
    expect(fresh.jwks.fetches).toBe(2);
  });

  it('drops a revoked session within the introspection cache window', async () => {
    const client = await api.rest('POST', '/v1/clients', { tenant: TENANT, body: { name: 'edge gateway' } });
    expect(client.status).toBe(201);
    const revocation = createIntrospectionRevocationCheck({ publicUrl: api.config.PUBLIC_URL, clientId: client.body.clientId, clientSecret: client.body.clientSecret, cacheMs: 500 });
    const verifier = createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience, revocation });
    const carol = await user('carol@example.com');
    await verifier.verify(carol.token);
    expect((await api.rest('POST', '/v1/auth/sign-out', { token: carol.token, body: {} })).status).toBe(200);
    const revokedAt = Date.now();
    await waitFor(async () => (await rejection(verifier.verify(carol.token))) === 'revoked', 'the revoked session refused', 10_000);
    // The promise: refused within the cache window (plus one introspection round trip).
    expect(Date.now() - revokedAt).toBeLessThan(500 + 2000);
  });
});

describe('plintoAuth (Express middleware)', () => {
  it('puts the verified token on req.auth, and answers 401 with WWW-Authenticate otherwise', async () => {
    const app = express();
    const verifier = createTokenVerifier({ publicUrl: api.config.PUBLIC_URL, audience });
    app.get('/private', plintoAuth(verifier), (req, res) => {
      res.json({ sub: (req as unknown as { auth: { claims: { sub: string } } }).auth.claims.sub });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/private`;
    const dan = await user('dan@example.com');

    const ok = await fetch(url, { headers: { authorization: `Bearer ${dan.token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: dan.id });

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="plinto"');
    const forged = await fetch(url, { headers: { authorization: `Bearer ${await forge(dan.token)}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await forged.json()).toMatchObject({ error: { code: 'INVALID_TOKEN', reason: 'signature' } });
  });
});

describe('the token rules are the server’s', () => {
  it('the server refuses what the SDK refuses (same module)', async () => {
    const eve = await user('eve2@example.com');
    for (const token of [tamper(eve.token, { header: { typ: 'JWT' } }), tamper(eve.token, { header: { jku: 'http://127.0.0.1:1' } }), await forge(eve.token)]) {
      expect((await api.rest('GET', '/v1/me', { token })).status).toBe(401);
    }
  });
});
