import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { maintenanceTasks } from '@plinto/workers';
import { startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { sql } from './auth-helpers';
import { authorizationRequest, codeCallback, CookieBrowser, insecure, newUser, registerApplication, type Application } from './oidc-support';

/**
 * ID-token algorithms per application (`idTokenSignedResponseAlg`: RS256, ES256, EdDSA) with
 * unmodified openid-client relying parties that verify every ID token's signature against the
 * JWKS; the ID-token keys rotating with the tenant's signing keys (an RP with a cached JWKS
 * re-fetches; a token signed before still verifies during the overlap; the old key leaves once its
 * tokens have expired); and forged ID tokens (alg none, HS256 keyed with the public key, a key not
 * in the JWKS) refused by openid-client.
 */
let api: TestApi;
let issuer: string;
let ann: SignedInUser;
let browser: CookieBrowser;
const CALLBACK = 'http://127.0.0.1:4300/callback';
const apps: Record<'RS256' | 'ES256' | 'EdDSA', Application> = {} as never;

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  issuer = `${api.url}/t/acme`;
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    apps[alg] = await registerApplication(api, 'acme', { name: `App ${alg}`, type: 'web', firstParty: true, redirectUris: [CALLBACK], idTokenSignedResponseAlg: alg });
  }
  ann = await newUser(api, 'acme', 'ann@acme.test');
  browser = new CookieBrowser(api.url);
  await browser.signIn('acme', ann);
});

afterAll(() => api?.close());

const jwks = async () => (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: JWK[] };

/** An openid-client RP registered with `alg` that checks ID-token signatures against the JWKS (non-repudiation checks), counting its JWKS fetches. */
async function relyingParty(alg: keyof typeof apps, tamper?: (idToken: string) => string) {
  const app = apps[alg];
  const config = await oidc.discovery(new URL(issuer), app.clientId, { id_token_signed_response_alg: alg }, oidc.ClientSecretBasic(app.clientSecret!), {
    execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
  });
  const fetches = { jwks: 0 };
  config[oidc.customFetch] = async (url, options) => {
    if (url.endsWith('/.well-known/jwks.json')) fetches.jwks++;
    const response = await fetch(url, options as RequestInit);
    if (!tamper || !url.endsWith('/oauth/token')) return response;
    const body = await response.json();
    return Response.json({ ...body, id_token: tamper(body.id_token) }, { status: response.status });
  };
  return { config, fetches };
}

async function signIn(config: oidc.Configuration) {
  const attempt = await authorizationRequest(config, CALLBACK);
  return oidc.authorizationCodeGrant(config, await codeCallback(browser, attempt), { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce });
}

const header = (token: string) => decodeProtectedHeader(token) as { alg: string; kid: string; typ: string };

describe('the algorithm is per application', () => {
  it('discovery lists every algorithm an application may choose, RS256 first', async () => {
    const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(meta.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256', 'EdDSA']);
  });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('openid-client completes the code flow for a %s client and verifies its ID token against the JWKS', async (alg) => {
    const { config, fetches } = await relyingParty(alg);
    const tokens = await signIn(config);
    expect(header(tokens.id_token!)).toMatchObject({ alg, typ: 'JWT' });
    expect(tokens.claims()).toMatchObject({ iss: issuer, sub: ann.id, aud: apps[alg].clientId });
    // The signature was checked against the published keys, which openid-client fetched.
    expect(fetches.jwks).toBe(1);
    const published = (await jwks()).keys.find((k) => k.kid === header(tokens.id_token!).kid)!;
    expect(published.alg).toBe(alg);
    // Userinfo stays plain JSON.
    expect((await oidc.fetchUserInfo(config, tokens.access_token, ann.id)).email).toBe('ann@acme.test');
    // An ID token is never an access token, whichever its algorithm.
    expect((await api.rest('GET', '/v1/me', { token: tokens.id_token! })).status).toBe(401);
  });

  it('the JWKS publishes each algorithm in use with alg, use and kid, public parts only, kty/crv right', async () => {
    const keys = (await jwks()).keys;
    const expected: Record<string, Partial<JWK>> = { RS256: { kty: 'RSA', e: 'AQAB' }, ES256: { kty: 'EC', crv: 'P-256' }, EdDSA: { kty: 'OKP', crv: 'Ed25519' } };
    for (const alg of Object.keys(expected)) expect(keys.filter((k) => k.alg === alg).length, alg).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toMatchObject({ use: 'sig', ...expected[key.alg!] });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key, `${key.kid} ${secret}`).not.toHaveProperty(secret);
      expect(key.kid).toBe(await calculateJwkThumbprint(key));
      // The key really is one of its kind (Node imports it as such).
      expect(createPublicKey({ key: key as never, format: 'jwk' }).asymmetricKeyType).toBe({ RSA: 'rsa', EC: 'ec', OKP: 'ed25519' }[key.kty!]);
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
  });

  it('is validated on create and update (400 naming the field), and an update takes effect on the next ID token', async () => {
    const refused = await api.rest('POST', '/v1/applications', { tenant: 'acme', body: { name: 'Bad', type: 'web', redirectUris: [CALLBACK], idTokenSignedResponseAlg: 'HS256' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0].path).toBe('idTokenSignedResponseAlg');
    for (const alg of ['none', 'RS512', 'es256']) {
      const patch = await api.rest('PATCH', `/v1/applications/${apps.RS256.id}`, { tenant: 'acme', body: { idTokenSignedResponseAlg: alg } });
      expect(patch.status, alg).toBe(400);
      expect(patch.body.error.fields[0].path).toBe('idTokenSignedResponseAlg');
    }
    const app = await registerApplication(api, 'acme', { name: 'Switcher', type: 'web', firstParty: true, redirectUris: [CALLBACK] });
    expect((await api.rest('GET', `/v1/applications/${app.id}`, { tenant: 'acme' })).body.idTokenSignedResponseAlg).toBe('RS256');
    const updated = await api.rest('PATCH', `/v1/applications/${app.id}`, { tenant: 'acme', body: { idTokenSignedResponseAlg: 'ES256' } });
    expect(updated.status).toBe(200);
    expect(updated.body.idTokenSignedResponseAlg).toBe('ES256');
    const config = await oidc.discovery(new URL(issuer), app.clientId, { id_token_signed_response_alg: 'ES256' }, oidc.ClientSecretBasic(app.clientSecret!), { execute: [...insecure.execute, oidc.enableNonRepudiationChecks] });
    expect(header((await signIn(config)).id_token!).alg).toBe('ES256');
  });
});

describe('forged ID tokens are refused by openid-client', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  const rsaJwk = async () => (await jwks()).keys.find((k) => k.alg === 'RS256')!;

  async function refused(alg: keyof typeof apps, forge: (idToken: string) => string) {
    const { config } = await relyingParty(alg, forge);
    const error = await signIn(config).catch((e: Error) => e);
    expect(error, 'the forged ID token was accepted').toBeInstanceOf(Error);
    // openid-client wraps oauth4webapi's verdict: the reason is down the cause chain.
    const reasons: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) reasons.push(e.message);
    return reasons.join(' / ');
  }

  it('the tampering relying party itself accepts an untouched ID token (so each refusal below is the forgery\'s)', async () => {
    const { config } = await relyingParty('ES256', (token) => token);
    expect(header((await signIn(config)).id_token!).alg).toBe('ES256');
  });

  it('alg none', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      expect(await refused(alg, (token) => `${b64({ alg: 'none', typ: 'JWT' })}.${token.split('.')[1]}.`)).toMatch(/unexpected JWT "alg"/);
    }
  });

  it('HS256 keyed with the published RSA public key (algorithm confusion)', async () => {
    const publicPem = createPublicKey({ key: (await rsaJwk()) as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [publicPem, JSON.stringify(await rsaJwk())]) {
      const message = await refused('RS256', (token) => {
        const input = `${b64({ alg: 'HS256', kid: header(token).kid, typ: 'JWT' })}.${token.split('.')[1]}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      });
      expect(message).toMatch(/unexpected JWT "alg"/);
    }
  });

  it('a key not in the JWKS — under an unknown kid, and under the real kid', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    for (const kid of ['attacker-key', undefined]) {
      const message = await refused('ES256', (token) => {
        const input = `${b64({ alg: 'ES256', kid: kid ?? header(token).kid, typ: 'JWT' })}.${b64({ ...payloadOf(token), sub: 'someone-else' })}`;
        return `${input}.${sign('sha256', Buffer.from(input), { key: attacker, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
      });
      expect(message).toMatch(kid ? /no applicable keys found/ : /signature verification failed/);
    }
  });
});

describe('rotation with the tenant signing keys', () => {
  it('new ID tokens use new keys; the old key stays published until its tokens expired; a cached RP re-fetches', async () => {
    const before = await relyingParty('ES256');
    const old = await signIn(before.config);
    const oldRs = await signIn((await relyingParty('RS256')).config);
    const cached = oidc.getJwksCache(before.config)!;
    expect(cached.jwks.keys.map((k) => k.kid)).toContain(header(old.id_token!).kid);

    const rotated = await api.rest('POST', '/v1/signing-keys/rotate', { tenant: 'acme' });
    expect(rotated.status).toBe(201);
    const after = (await jwks()).keys.map((k) => k.kid);
    // The old ID-token keys are still published, beside new ones of the same algorithms.
    expect(after).toEqual(expect.arrayContaining([header(old.id_token!).kid, header(oldRs.id_token!).kid]));
    const rows = await sql(api, `select k.alg, k.status, k.retire_after from oidc_id_token_keys k join tenants t on t.id = k.tenant_id where t.slug = 'acme'`);
    expect(rows.map((r) => [r.alg, r.status]).sort()).toEqual([
      ['ES256', 'current'], ['ES256', 'previous'],
      ['EdDSA', 'current'], ['EdDSA', 'previous'],
      ['RS256', 'current'], ['RS256', 'previous'],
    ]);
    // Retired only once every ID token the old key signed has expired (ID tokens live as long as access tokens).
    for (const row of rows.filter((r) => r.status === 'previous')) expect(new Date(row.retire_after).getTime()).toBeGreaterThan(Date.now() + 600_000);
    const [event] = await sql(api, `select data from audit_events where action = 'signing_key.rotated' order by occurred_at desc limit 1`);
    expect(event.data.idTokenKeys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);

    // An RP holding the JWKS it fetched before the rotation (a minute ago): the new kid is unknown
    // to it, so it re-fetches the JWKS once and verifies the new token.
    const holder = await relyingParty('ES256');
    oidc.setJwksCache(holder.config, { ...cached, uat: cached.uat - 61 });
    const fresh = await signIn(holder.config);
    expect(header(fresh.id_token!).kid).not.toBe(header(old.id_token!).kid);
    expect(holder.fetches.jwks).toBe(1);
    // The token signed before the rotation still verifies, with the JWKS the RP now holds.
    const refreshedJwks = createLocalJWKSet(oidc.getJwksCache(holder.config)!.jwks as never);
    for (const token of [old.id_token!, oldRs.id_token!, fresh.id_token!]) await jwtVerify(token, refreshedJwks, { issuer });

    // Once its tokens have expired the old key is retired by the maintenance task and leaves the JWKS.
    const oldKid = header(old.id_token!).kid;
    await sql(api, `update oidc_id_token_keys set retire_after = now() - interval '1 second' where kid = $1`, [oldKid]);
    const task = maintenanceTasks.find((t) => t.name === 'auth.signing-keys')!;
    const workers = await startTestWorkers(api.config, { tasks: [{ ...task, everyMs: 200 }] });
    try {
      await waitFor(async () => (await sql(api, `select status from oidc_id_token_keys where kid = $1`, [oldKid]))[0].status === 'retired', 'the old ES256 key to retire');
    } finally {
      await workers.close();
    }
    const published = (await jwks()).keys.map((k) => k.kid);
    expect(published).not.toContain(oldKid);
    expect(published).toEqual(expect.arrayContaining([header(oldRs.id_token!).kid, header(fresh.id_token!).kid]));
    const [retired] = await sql(api, `select data from audit_events where action = 'signing_key.retired' and target_id = $1`, [oldKid]);
    expect(retired.data).toEqual({ kid: oldKid, use: 'id_token', alg: 'ES256' });
  });
});
