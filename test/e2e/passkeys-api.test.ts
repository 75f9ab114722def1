import { beforeAll, describe, expect, it } from 'vitest';
import { signIn, sqlClient, startTestApi, type TestApi } from '../src';
import { SoftAuthenticator } from '../src/soft-authenticator';
import { auditOf, passkeySignIn, registerPasskey, signInOptions, userWithPasskey } from './passkeys.support';

/**
 * Passkeys over the API with a software authenticator (the WebAuthn library verifies unmodified):
 * registration, sign-in as the first factor and as the second, assurance levels, device
 * management, and every refusal the issue names, each performed as an attack.
 */
const T = 'pk';
let api: TestApi;
let origin: string;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  origin = new URL(api.url).origin;
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Passkey Co' } })).status).toBe(201);
}, 120_000);

describe('registration and sign-in', () => {
  it('registers a discoverable passkey and signs in with it alone at AAL2 (a user-verifying passkey is multi-factor)', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device);
    expect(user.passkey).toMatchObject({ name: 'Chromium virtual authenticator', authenticator: 'Chromium virtual authenticator', backedUp: false, deviceType: 'single_device' });

    const { ceremonyId, options } = await signInOptions(api, T);
    expect(options.rpId).toBe('127.0.0.1');
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]); // discoverable: the browser offers what it holds
    const res = await passkeySignIn(api, T, ceremonyId, device.authenticate(options));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'signed_in', amr: ['hwk', 'mfa'], aal: 2, user: { id: user.id } });

    const me = await api.rest('GET', '/v1/me', { token: res.body.access_token, tenant: T });
    expect(me.status).toBe(200);
    const list = await api.rest('GET', '/v1/passkeys', { token: res.body.access_token, tenant: T });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].lastUsedAt).not.toBeNull();

    const registered = await auditOf(api, T, 'passkey.registered');
    expect(registered.some((e) => e.target?.id === user.id && e.data.passkeyId === user.passkey.id)).toBe(true);
    const used = await auditOf(api, T, 'passkey.used');
    expect(used.find((e) => e.target?.id === user.id)?.data).toMatchObject({ purpose: 'sign_in', userVerified: true, counter: 1 });
  });

  it('a synced passkey is reported backed up (multi-device), and one without a counter signs in again and again', async () => {
    const device = new SoftAuthenticator(origin, { synced: true, keepsCounter: false, aaguid: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4' });
    const user = await userWithPasskey(api, T, device);
    expect(user.passkey).toMatchObject({ authenticator: 'Google Password Manager', backedUp: true, deviceType: 'multi_device' });
    for (let i = 0; i < 2; i++) {
      const { ceremonyId, options } = await signInOptions(api, T);
      const res = await passkeySignIn(api, T, ceremonyId, device.authenticate(options));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  it('after a password, a user with a passkey completes the MFA challenge with it (AAL2)', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device);
    const first = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: user.email, password: user.password } });
    expect(first.body).toMatchObject({ status: 'mfa_required', methods: ['passkey'] });
    const start = await api.rest('POST', '/v1/auth/mfa/passkey/options', { token: null, tenant: T, body: { challengeToken: first.body.challengeToken } });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body.options.allowCredentials).toHaveLength(1);
    const done = await api.rest('POST', '/v1/auth/mfa/passkey', {
      token: null,
      tenant: T,
      body: { challengeToken: first.body.challengeToken, ceremonyId: start.body.ceremonyId, response: device.authenticate(start.body.options, { userVerified: false }) },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // Presence only (no UV) is still possession: password + passkey = two kinds.
    expect(done.body).toMatchObject({ status: 'signed_in', amr: ['pwd', 'hwk'], aal: 2 });
    // The MFA challenge is spent.
    const again = await api.rest('POST', '/v1/auth/mfa/passkey/options', { token: null, tenant: T, body: { challengeToken: first.body.challengeToken } });
    expect(again.status).toBe(401);
  });

  it("with the tenant's user verification `preferred`, a presence-only passkey signs in as one factor (AAL1)", async () => {
    const tenant = 'pk-preferred';
    expect((await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'Pref', settings: { passkeys: { userVerification: 'preferred' } } } })).status).toBe(201);
    const device = new SoftAuthenticator(origin, { userVerifying: false });
    await userWithPasskey(api, tenant, device);
    const { ceremonyId, options } = await signInOptions(api, tenant);
    const res = await passkeySignIn(api, tenant, ceremonyId, device.authenticate(options));
    expect(res.body).toMatchObject({ status: 'signed_in', amr: ['hwk'], aal: 1 });
  });
});

describe('refused ceremonies (each an attack)', () => {
  it('a replayed assertion: the same ceremony is spent, a new ceremony has another challenge', async () => {
    const device = new SoftAuthenticator(origin);
    await userWithPasskey(api, T, device);
    const { ceremonyId, options } = await signInOptions(api, T);
    const assertion = device.authenticate(options);
    expect((await passkeySignIn(api, T, ceremonyId, assertion)).status).toBe(200);
    const replay = await passkeySignIn(api, T, ceremonyId, assertion);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toMatchObject({ code: 'PASSKEY_CEREMONY_INVALID', fields: [{ path: 'ceremonyId' }] });
    const fresh = await signInOptions(api, T);
    const replayed = await passkeySignIn(api, T, fresh.ceremonyId, assertion);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toMatchObject({ code: 'PASSKEY_REJECTED' });
    expect((await auditOf(api, T, 'passkey.rejected')).some((e) => e.data.reason === 'challenge_mismatch')).toBe(true);
  });

  it("an assertion for another ceremony's challenge is refused, and that ceremony is spent too", async () => {
    const device = new SoftAuthenticator(origin);
    await userWithPasskey(api, T, device);
    const a = await signInOptions(api, T);
    const b = await signInOptions(api, T);
    const res = await passkeySignIn(api, T, b.ceremonyId, device.authenticate(a.options));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('PASSKEY_REJECTED');
    expect((await passkeySignIn(api, T, b.ceremonyId, device.authenticate(b.options))).status).toBe(400);
  });

  it("a registration ceremony is bound to the user who started it; sign-in ceremonies can't register", async () => {
    const alice = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    const mallory = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    const start = await api.rest('POST', '/v1/passkeys/registration-options', { token: alice.token, tenant: T, body: {} });
    const stolen = await api.rest('POST', '/v1/passkeys', { token: mallory.token, tenant: T, body: { ceremonyId: start.body.ceremonyId, response: new SoftAuthenticator(origin).register(start.body.options) } });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('PASSKEY_CEREMONY_INVALID');
    const signInCeremony = await signInOptions(api, T);
    const wrongKind = await api.rest('POST', '/v1/passkeys', { token: alice.token, tenant: T, body: { ceremonyId: signInCeremony.ceremonyId, response: new SoftAuthenticator(origin).register({ ...start.body.options, challenge: signInCeremony.options.challenge }) } });
    expect(wrongKind.body.error.code).toBe('PASSKEY_CEREMONY_INVALID');
  });

  it('an origin the tenant does not allow, or another RP ID, is refused at registration and at sign-in', async () => {
    const device = new SoftAuthenticator(origin);
    await userWithPasskey(api, T, device);
    for (const [overrides, reason] of [[{ origin: 'https://evil.example' }, 'origin_not_allowed'], [{ rpId: 'evil.example' }, 'rp_id_mismatch']] as const) {
      const { ceremonyId, options } = await signInOptions(api, T);
      const res = await passkeySignIn(api, T, ceremonyId, device.authenticate(options, overrides));
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'PASSKEY_REJECTED', details: { reason } });
    }
    const user = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    const start = await api.rest('POST', '/v1/passkeys/registration-options', { token: user.token, tenant: T, body: {} });
    const res = await api.rest('POST', '/v1/passkeys', { token: user.token, tenant: T, body: { ceremonyId: start.body.ceremonyId, response: new SoftAuthenticator('https://evil.example').register(start.body.options) } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'PASSKEY_REGISTRATION_FAILED', details: { reason: 'origin_not_allowed' } });
  });

  it('user verification required but absent is refused, at registration and at sign-in', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device);
    const start = await api.rest('POST', '/v1/passkeys/registration-options', { token: user.token, tenant: T, body: {} });
    expect(start.body.options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    const unverified = await api.rest('POST', '/v1/passkeys', { token: user.token, tenant: T, body: { ceremonyId: start.body.ceremonyId, response: new SoftAuthenticator(origin, { userVerifying: false }).register(start.body.options) } });
    expect(unverified.body.error).toMatchObject({ code: 'PASSKEY_REGISTRATION_FAILED', details: { reason: 'user_verification_required' } });
    const { ceremonyId, options } = await signInOptions(api, T);
    const res = await passkeySignIn(api, T, ceremonyId, device.authenticate(options, { userVerified: false }));
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('user_verification_required');
  });

  it('a signature counter that goes backwards is refused and audited (a cloned authenticator)', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device);
    const first = await signInOptions(api, T);
    expect((await passkeySignIn(api, T, first.ceremonyId, device.authenticate(first.options, { counter: 10 }))).status).toBe(200);
    const clone = await signInOptions(api, T);
    const res = await passkeySignIn(api, T, clone.ceremonyId, device.authenticate(clone.options, { counter: 7 }));
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('counter_regression');
    const regressed = await auditOf(api, T, 'passkey.counter_regressed');
    expect(regressed.find((e) => e.target?.id === user.id)).toMatchObject({ outcome: 'failure', data: { storedCounter: 10, presentedCounter: 7, passkeyId: user.passkey.id } });
    // The genuine authenticator, moving on, still works.
    const next = await signInOptions(api, T);
    expect((await passkeySignIn(api, T, next.ceremonyId, device.authenticate(next.options, { counter: 11 }))).status).toBe(200);
  });

  it('two uses of one counter value at once: exactly one signs in, the other is a regression; one use recorded, with its event', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device);
    const [a, b] = await Promise.all([signInOptions(api, T), signInOptions(api, T)]);
    const answers = await Promise.all([a, b].map((c) => passkeySignIn(api, T, c.ceremonyId, device.authenticate(c.options, { counter: 5 }))));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(answers.find((r) => r.status === 401)!.body.error.details.reason).toBe('counter_regression');
    const used = (await auditOf(api, T, 'passkey.used')).filter((e) => e.target?.id === user.id);
    expect(used.map((e) => e.data.counter)).toEqual([5]);
    // The use's domain event sits in the outbox, written by the same statement as its audit row.
    const rows = await sqlClient(api.config.DATABASE_URL).query(`select payload from outbox where job_name = 'passkey.used' and payload->'target'->>'id' = $1`, [user.id]);
    expect(rows.rows.map((r) => r.payload.data)).toEqual([expect.objectContaining({ passkeyId: user.passkey.id, purpose: 'sign_in', counter: 5 })]);
  });

  it("another tenant's credential is unknown here, even for the same RP ID", async () => {
    const other = 'pk-other';
    expect((await api.rest('POST', '/v1/tenants', { body: { slug: other, name: 'Other' } })).status).toBe(201);
    const device = new SoftAuthenticator(origin);
    await userWithPasskey(api, other, device);
    const { ceremonyId, options } = await signInOptions(api, T);
    const res = await passkeySignIn(api, T, ceremonyId, device.authenticate(options));
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('unknown_credential');
    // And a ceremony of the other tenant is not one of this tenant's.
    const theirs = await signInOptions(api, other);
    expect((await passkeySignIn(api, T, theirs.ceremonyId, device.authenticate(theirs.options))).body.error.code).toBe('PASSKEY_CEREMONY_INVALID');
  });

  it("a second-factor ceremony is bound to its MFA challenge, and to that user's passkeys", async () => {
    const device = new SoftAuthenticator(origin);
    const alice = await userWithPasskey(api, T, device);
    const a = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: alice.email, password: alice.password } });
    const b = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: alice.email, password: alice.password } });
    const startA = await api.rest('POST', '/v1/auth/mfa/passkey/options', { token: null, tenant: T, body: { challengeToken: a.body.challengeToken } });
    const crossed = await api.rest('POST', '/v1/auth/mfa/passkey', { token: null, tenant: T, body: { challengeToken: b.body.challengeToken, ceremonyId: startA.body.ceremonyId, response: device.authenticate(startA.body.options) } });
    expect(crossed.status).toBe(401);
    expect(crossed.body.error.code).toBe('MFA_CHALLENGE_INVALID');

    const malloryDevice = new SoftAuthenticator(origin);
    await userWithPasskey(api, T, malloryDevice);
    const startB = await api.rest('POST', '/v1/auth/mfa/passkey/options', { token: null, tenant: T, body: { challengeToken: b.body.challengeToken } });
    const foreign = malloryDevice.authenticate({ challenge: startB.body.options.challenge, rpId: startB.body.options.rpId });
    const res = await api.rest('POST', '/v1/auth/mfa/passkey', { token: null, tenant: T, body: { challengeToken: b.body.challengeToken, ceremonyId: startB.body.ceremonyId, response: foreign } });
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('unknown_credential');
  });
});

describe('device management', () => {
  it('lists, renames and removes passkeys; once none is left, the password alone signs in again', async () => {
    const device = new SoftAuthenticator(origin);
    const user = await userWithPasskey(api, T, device, 'Laptop');
    const second = await registerPasskey(api, T, user.token, new SoftAuthenticator(origin, { synced: true }), 'Phone');
    const listed = await api.rest('GET', '/v1/passkeys', { token: user.token, tenant: T });
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Laptop', 'Phone']);
    expect(listed.body.items[0]).toEqual({
      id: user.passkey.id,
      name: 'Laptop',
      authenticator: 'Chromium virtual authenticator',
      aaguid: '01020304-0506-0708-0102-030405060708',
      backedUp: false,
      deviceType: 'single_device',
      transports: ['internal'],
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const renamed = await api.rest('PATCH', `/v1/passkeys/${second.id}`, { token: user.token, tenant: T, body: { name: 'Work phone' } });
    expect(renamed.body.name).toBe('Work phone');
    const empty = await api.rest('PATCH', `/v1/passkeys/${second.id}`, { token: user.token, tenant: T, body: { name: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0].path).toBe('name');

    // Someone else's passkey is a 404, for rename and delete alike.
    const other = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    expect((await api.rest('PATCH', `/v1/passkeys/${second.id}`, { token: other.token, tenant: T, body: { name: 'x' } })).status).toBe(404);
    expect((await api.rest('DELETE', `/v1/passkeys/${second.id}`, { token: other.token, tenant: T })).status).toBe(404);

    for (const p of [user.passkey.id, second.id]) expect((await api.rest('DELETE', `/v1/passkeys/${p}`, { token: user.token, tenant: T })).body).toEqual({ deleted: true });
    const removed = await auditOf(api, T, 'passkey.removed');
    expect(removed.filter((e) => e.target?.id === user.id).map((e) => e.data.by)).toEqual(['user', 'user']);
    // The removed credential no longer signs in.
    const { ceremonyId, options } = await signInOptions(api, T);
    expect((await passkeySignIn(api, T, ceremonyId, device.authenticate(options))).body.error.details.reason).toBe('unknown_credential');
    await signIn(api, { email: user.email, password: user.password, tenant: T });
  });

  it("admins list and remove a user's passkeys (users:read / users:write); users cannot", async () => {
    const user = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    const listed = await api.rest('GET', `/v1/users/${user.id}/passkeys`, { tenant: T });
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([user.passkey.id]);
    const other = await userWithPasskey(api, T, new SoftAuthenticator(origin));
    expect((await api.rest('GET', `/v1/users/${user.id}/passkeys`, { token: other.token, tenant: T })).status).toBe(403);
    expect((await api.rest('DELETE', `/v1/users/${user.id}/passkeys/${user.passkey.id}`, { tenant: T })).body).toEqual({ deleted: true });
    expect((await auditOf(api, T, 'passkey.removed')).find((e) => e.data.passkeyId === user.passkey.id)?.data.by).toBe('admin');
  });
});

describe('relying party per tenant', () => {
  it('uses the tenant RP ID and origins, and refuses origins outside its RP ID', async () => {
    const tenant = 'pk-rp';
    const bad = await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'RP', settings: { passkeys: { rpId: 'example.com', origins: ['https://login.example.com', 'https://example.org'] } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toContain('settings.passkeys.origins.1');
    const insecure = await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'RP', settings: { passkeys: { rpId: 'example.com', origins: ['http://login.example.com'] } } } });
    expect(insecure.status).toBe(400);
    expect((await api.rest('POST', '/v1/tenants', { body: { slug: tenant, name: 'RP', settings: { passkeys: { rpId: 'example.com', origins: ['https://login.example.com'], rpName: 'Example' } } } })).status).toBe(201);

    const device = new SoftAuthenticator('https://login.example.com');
    const user = await userWithPasskey(api, tenant, device);
    const { ceremonyId, options } = await signInOptions(api, tenant);
    expect(options.rpId).toBe('example.com');
    expect((await passkeySignIn(api, tenant, ceremonyId, device.authenticate(options))).body).toMatchObject({ status: 'signed_in', user: { id: user.id } });
    // PUBLIC_URL's own origin is not one of this tenant's.
    const local = await signInOptions(api, tenant);
    const res = await passkeySignIn(api, tenant, local.ceremonyId, device.authenticate(local.options, { origin }));
    expect(res.body.error.details.reason).toBe('origin_not_allowed');
  });

  it('each sign-in options call has its own challenge and names no account', async () => {
    const a = await signInOptions(api, T);
    const b = await signInOptions(api, T);
    expect(a.options.challenge).not.toBe(b.options.challenge);
    expect(a.ceremonyId).not.toBe(b.ceremonyId);
    expect(Object.keys(a.options).sort()).toEqual(['allowCredentials', 'challenge', 'rpId', 'timeout', 'userVerification'].filter((k) => k in a.options).sort());
  });
});
