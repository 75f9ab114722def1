import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, exportJWK } from 'jose';
import { secretBoxFor } from '@plinto/kernel';
import pg from 'pg';
import { signIn, signedInUser, startTestApi, waitFor, type SignedInUser, type TestApi } from '../src';
import { sql } from './auth-helpers';

/**
 * Each attack on access and refresh tokens, performed against the real api: forged algorithms and
 * headers, another tenant's key, bad claims, tampering, refresh-token replay, and the races.
 */
let api: TestApi;
let ann: SignedInUser;
let acmeKid: string;
let acmeTenantId: string;
let issuer: string;

beforeAll(async () => {
  api = await startTestApi({ AUTH_REFRESH_GRACE_SECONDS: '2' });
  for (const slug of ['acme', 'other']) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  ann = await signedInUser(api, { email: 'ann@acme.test', tenant: 'acme' });
  issuer = `${api.url}/t/acme`;
  const [tenant] = await sql(api, `select id from tenants where slug = 'acme'`);
  acmeTenantId = tenant.id;
  acmeKid = JSON.parse(Buffer.from(ann.token.split('.')[0]!, 'base64url').toString()).kid;
});

const me = (token: string) => api.rest('GET', '/v1/me', { token });
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A tenant's real private signing key, unsealed with the master key (what only Plinto can do). */
async function privateKeyOf(slug: string) {
  await fetch(`${api.url}/t/${slug}/.well-known/jwks.json`); // a tenant's first key is made on first need
  const [row] = await sql(api, `select k.kid, k.private_key_sealed from signing_keys k join tenants t on t.id = k.tenant_id where t.slug = $1 and k.status = 'current'`, [slug]);
  const jwk = JSON.parse(secretBoxFor(api.config, 'signing-keys').open(row.private_key_sealed, row.kid));
  return { kid: row.kid as string, key: createPrivateKey({ key: jwk, format: 'jwk' }) };
}

/** A token signed with acme's real key, with `claims`/`header` overriding a valid one. */
async function forge(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, slug = 'acme') {
  const { kid, key } = await privateKeyOf(slug);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: acmeTenantId, sid: decode(ann.token.split('.')[1]!).sid, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })
    .setIssuer((claims.iss as string) ?? issuer)
    .setAudience((claims.aud as string) ?? api.config.PUBLIC_URL)
    .setSubject(ann.id)
    .setIssuedAt(now)
    .setJti(`forged-${Math.random()}`)
    .setExpirationTime((claims.exp as number) ?? now + 300)
    .sign(key);
}

async function expectRejected(token: string, reason?: string) {
  const res = await me(token);
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(res.body.error.code).toBe('UNAUTHENTICATED');
  if (reason) expect(res.body.error.details?.reason).toBe(reason);
}

describe('forged access tokens', () => {
  it('accepts the genuine token and a correctly forged control (the harness itself is sound)', async () => {
    expect((await me(ann.token)).status).toBe(200);
    expect((await me(await forge())).status).toBe(200);
  });

  it('refuses alg none', async () => {
    const payload = decode(ann.token.split('.')[1]!);
    const none = new UnsecuredJWT(payload).encode();
    await expectRejected(none);
    // The same with a typ and kid that look right.
    await expectRejected(`${encode({ alg: 'none', typ: 'at+jwt', kid: acmeKid })}.${ann.token.split('.')[1]}.`);
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
    const [, payload] = ann.token.split('.');
    for (const secret of [JSON.stringify(jwks.keys[0]), jwks.keys[0].x]) {
      const header = encode({ alg: 'HS256', typ: 'at+jwt', kid: acmeKid });
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await expectRejected(`${header}.${payload}.${signature}`);
    }
  });

  it('refuses a token carrying its own key (jwk) or key URL (jku)', async () => {
    const attacker = generateKeyPairSync('ed25519');
    const jwk = { ...(await exportJWK(attacker.publicKey)), kid: acmeKid };
    const payload = decode(ann.token.split('.')[1]!);
    const embedded = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: acmeKid, jwk }).sign(attacker.privateKey);
    await expectRejected(embedded, 'header');
    const remote = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: acmeKid, jku: 'https://attacker.example/jwks.json' }).sign(attacker.privateKey);
    await expectRejected(remote, 'header');
    // And plainly: a token signed by a key that is not the tenant's.
    const stranger = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: acmeKid }).sign(attacker.privateKey);
    await expectRejected(stranger, 'signature');
  });

  it("refuses a token signed with another tenant's key, whatever kid and issuer it names", async () => {
    const other = await privateKeyOf('other');
    // Signed by `other`'s key, claiming acme's issuer: the kid is not among acme's keys.
    await expectRejected(await signWith(other, { iss: issuer }), 'unknown_key');
    // Naming acme's kid with other's key: the signature does not verify.
    await expectRejected(await signWith(other, { iss: issuer }, acmeKid), 'signature');
  });

  async function signWith(key: { kid: string; key: ReturnType<typeof createPrivateKey> }, claims: { iss: string }, kid = key.kid) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tid: acmeTenantId })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setIssuer(claims.iss)
      .setAudience(api.config.PUBLIC_URL)
      .setSubject(ann.id)
      .setIssuedAt(now)
      .setJti('x')
      .setExpirationTime(now + 300)
      .sign(key.key);
  }

  it('refuses expired, not-yet-valid, wrong audience, wrong issuer, wrong typ and a mismatched tenant id', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await forge({ exp: now - 60 }), 'expired');
    // Within the clock leeway (5 s) an expiry just past is still accepted.
    expect((await me(await forge({ exp: now - 1 }))).status).toBe(200);
    await expectRejected(await forge({ nbf: now + 120 }), 'claims');
    await expectRejected(await forge({ aud: 'https://some-other-api.example' }), 'claims');
    await expectRejected(await forge({ iss: `${api.url}/t/other` }), 'unknown_key');
    await expectRejected(await forge({ iss: 'https://evil.example/t/acme' }), 'issuer');
    await expectRejected(await forge({}, { typ: 'JWT' }), 'type');
    await expectRejected(await forge({ tid: '00000000-0000-7000-8000-000000000000' }), 'claims');
  });

  it('refuses a tampered payload', async () => {
    const [header, payload, signature] = ann.token.split('.');
    const claims = decode(payload!);
    await expectRejected(`${header}.${encode({ ...claims, sub: '00000000-0000-7000-8000-000000000001' })}.${signature}`, 'signature');
    await expectRejected(`${header}.${encode({ ...claims, aal: 2, amr: ['pwd', 'otp'] })}.${signature}`, 'signature');
  });
});

const refresh = (token: string) => api.rest('POST', '/v1/auth/refresh', { token: null, tenant: 'acme', body: { refresh_token: token } });
const oauthRefresh = (token: string, slug = 'acme') =>
  fetch(`${api.url}/t/${slug}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }) });

async function freshSession(email: string) {
  const user = await signedInUser(api, { email, tenant: 'acme' });
  const res = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: 'acme', body: { email: user.email, password: user.password } });
  return { user, ...res.body } as { user: SignedInUser; access_token: string; refresh_token: string; session_id: string };
}

describe('refresh-token replay and races', () => {
  it('replaying a rotated refresh token revokes the whole family, ends the session and is audited', async () => {
    const s = await freshSession('replay@acme.test');
    const first = await refresh(s.refresh_token);
    expect(first.status).toBe(200);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    // The attacker replays the first token after the grace window.
    await new Promise((r) => setTimeout(r, 2200));
    const replay = await oauthRefresh(s.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    // The legitimate holder's newest tokens are dead too: refresh and access.
    expect((await refresh(second.body.refresh_token)).status).toBe(401);
    expect((await me(second.body.access_token)).status).toBe(401);
    const [session] = await sql(api, `select revoked_reason from sessions where id = $1`, [s.session_id]);
    expect(session.revoked_reason).toBe('refresh_token_reuse');
    const live = await sql(api, `select id from refresh_tokens where session_id = $1 and status = 'active'`, [s.session_id]);
    expect(live).toHaveLength(0);
    const [event] = await sql(api, `select outcome, data from audit_events where action = 'session.token_reuse_detected' and target_id = $1`, [s.session_id]);
    expect(event.outcome).toBe('failure');
    expect(event.data.sessionId).toBe(s.session_id);
  });

  it('fifty concurrent refreshes with one token leave exactly one live successor, all answers carrying it', async () => {
    const s = await freshSession('fifty@acme.test');
    const results = await Promise.all(Array.from({ length: 50 }, () => oauthRefresh(s.refresh_token).then(async (r) => ({ status: r.status, body: await r.json() }))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const successors = new Set(results.map((r) => r.body.refresh_token));
    expect(successors.size).toBe(1);
    const live = await sql(api, `select id from refresh_tokens where session_id = $1 and status = 'active'`, [s.session_id]);
    expect(live).toHaveLength(1);
    expect((await sql(api, `select revoked_at from sessions where id = $1`, [s.session_id]))[0].revoked_at).toBeNull();
    expect((await refresh([...successors][0]!)).status).toBe(200);
  });

  it('the grace window is judged from when each refresh arrived, not from when its turn at the session lock came', async () => {
    const s = await freshSession('arrival@acme.test');
    const grace = api.config as unknown as { AUTH_REFRESH_GRACE_SECONDS: number };
    const first = await oauthRefresh(s.refresh_token);
    expect(first.status).toBe(200);
    const successor = ((await first.json()) as { refresh_token: string }).refresh_token;
    const rotatedAt = Date.now();
    // Five more refreshes with the same token arrive at once, inside the window, and queue behind a
    // lock on their session (a stand-in for a busy server)…
    const db = new pg.Client({ connectionString: api.config.DATABASE_URL });
    await db.connect();
    try {
      await db.query('begin');
      await db.query('select id from sessions where id = $1 for update', [s.session_id]);
      const late = Array.from({ length: 5 }, () => oauthRefresh(s.refresh_token).then(async (r) => ({ status: r.status, body: (await r.json()) as { refresh_token?: string } })));
      await waitFor(
        async () => (await db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n === 5,
        'the five refreshes to wait on the session lock',
      );
      // …and get their turn only after the window has passed since the rotation.
      const windowMs = (grace.AUTH_REFRESH_GRACE_SECONDS ?? 5) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + windowMs + 300 - Date.now())));
      await db.query('commit');
      const results = await Promise.all(late);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.body.refresh_token))).toEqual(new Set([successor]));
      expect((await sql(api, `select revoked_at from sessions where id = $1`, [s.session_id]))[0].revoked_at).toBeNull();
    } finally {
      await db.end();
    }
  });

  it('a refresh racing a revocation leaves nothing live', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await freshSession(`race${round}@acme.test`);
      const [refreshed, signedOut] = await Promise.all([
        oauthRefresh(s.refresh_token).then(async (r) => ({ status: r.status, body: await r.json() })),
        api.rest('POST', '/v1/auth/sign-out', { token: s.access_token }),
      ]);
      expect(signedOut.status).toBe(200);
      const live = await sql(api, `select id from refresh_tokens where session_id = $1 and status = 'active'`, [s.session_id]);
      expect(live).toHaveLength(0);
      if (refreshed.status === 200) {
        expect((await refresh(refreshed.body.refresh_token)).status).toBe(401);
        expect((await me(refreshed.body.access_token)).status).toBe(401);
      }
    }
  });

  it("a tenant's refresh token is nothing at another tenant's token endpoint", async () => {
    const s = await freshSession('crossing@acme.test');
    const res = await oauthRefresh(s.refresh_token, 'other');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(s.refresh_token)).status).toBe(200);
  });

  it('a restart does not reopen a rotated token (state lives in PostgreSQL)', async () => {
    const s = await freshSession('restart@acme.test');
    const rotated = await refresh(s.refresh_token);
    expect(rotated.status).toBe(200);
    await new Promise((r) => setTimeout(r, 2200));
    const again = await startTestApi({ DATABASE_URL: api.config.DATABASE_URL, QUEUE_PREFIX: api.config.QUEUE_PREFIX, PLINTO_MASTER_KEY: api.config.PLINTO_MASTER_KEY!, AUTH_REFRESH_GRACE_SECONDS: '2' });
    const replay = await fetch(`${again.url}/t/acme/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: s.refresh_token }) });
    expect(replay.status).toBe(400);
    await again.close();
  });
});

describe('sign-out and session revocation', () => {
  it("stops accepting the session's access tokens at once", async () => {
    const s = await freshSession('bye@acme.test');
    expect((await me(s.access_token)).status).toBe(200);
    expect((await api.rest('POST', '/v1/auth/sign-out', { token: s.access_token })).status).toBe(200);
    const res = await me(s.access_token);
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('revoked');
    expect((await refresh(s.refresh_token)).status).toBe(401);
  });

  it('lists own sessions, revokes one or all others; admins list and revoke any; disabling ends all', async () => {
    const user = await signedInUser(api, { email: 'multi@acme.test', tenant: 'acme' });
    const second = await signIn(api, { email: user.email, password: user.password, tenant: 'acme' });
    const third = await signIn(api, { email: user.email, password: user.password, tenant: 'acme' });
    const mine = await api.rest('GET', '/v1/sessions', { token: third.token });
    expect(mine.body.items).toHaveLength(3);
    expect(mine.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ userAgent: expect.any(String), ip: expect.any(String), aal: 1, amr: ['pwd'] });
    const secondId = decode(second.token.split('.')[1]!).sid;
    expect((await api.rest('DELETE', `/v1/sessions/${secondId}`, { token: third.token })).status).toBe(200);
    expect((await me(second.token)).status).toBe(401);
    expect((await api.rest('DELETE', `/v1/sessions/${secondId}`, { token: third.token })).status).toBe(404);
    // Someone else's session is not found through one's own list.
    const annSid = decode(ann.token.split('.')[1]!).sid;
    expect((await api.rest('DELETE', `/v1/sessions/${annSid}`, { token: third.token })).status).toBe(404);
    expect((await api.rest('POST', '/v1/sessions/revoke-others', { token: third.token })).body).toEqual({ revoked: 1 });
    expect((await me(user.token)).status).toBe(401);
    expect((await me(third.token)).status).toBe(200);

    // Tenant admin (platform key here) lists and revokes any user's sessions.
    const listed = await api.rest('GET', `/v1/users/${user.id}/sessions`, { tenant: 'acme' });
    expect(listed.body.items).toHaveLength(1);
    const fourth = await signIn(api, { email: user.email, password: user.password, tenant: 'acme' });
    const fourthSid = decode(fourth.token.split('.')[1]!).sid;
    expect((await api.rest('DELETE', `/v1/users/${user.id}/sessions/${fourthSid}`, { tenant: 'acme' })).status).toBe(200);
    expect((await me(fourth.token)).status).toBe(401);
    // A plain user cannot read another user's sessions.
    expect((await api.rest('GET', `/v1/users/${ann.id}/sessions`, { token: third.token })).status).toBe(403);
    // Disabling the user ends every session.
    expect((await api.rest('POST', `/v1/users/${user.id}/disable`, { tenant: 'acme' })).status).toBe(200);
    expect((await me(third.token)).status).toBe(401);
    const live = await sql(api, `select id from sessions where user_id = $1 and revoked_at is null`, [user.id]);
    expect(live).toHaveLength(0);
  });
});

describe('signing key rotation', () => {
  it('rotates on demand: new tokens use the new key, old tokens keep verifying, both are published', async () => {
    const before = await signedInUser(api, { email: 'rot@acme.test', tenant: 'acme' });
    const rotated = await api.rest('POST', '/v1/signing-keys/rotate', { tenant: 'acme' });
    expect(rotated.status).toBe(201);
    const after = await signIn(api, { email: before.email, password: before.password, tenant: 'acme' });
    expect(decode(after.token.split('.')[0]!).kid).toBe(rotated.body.kid);
    expect((await me(before.token)).status).toBe(200);
    const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([rotated.body.kid, decode(before.token.split('.')[0]!).kid]));
    const listed = await api.rest('GET', '/v1/signing-keys', { tenant: 'acme' });
    expect(listed.body.items.map((k: { status: string }) => k.status).sort()).toEqual(['current', 'previous']);
    const [event] = await sql(api, `select data from audit_events where action = 'signing_key.rotated'`);
    expect(event.data).toMatchObject({ kid: rotated.body.kid, reason: 'manual' });
  });
});
