import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import * as OTPAuth from 'otpauth';
import { anon, asUser, freshTotpStep, sql, totpFor } from './auth-helpers';

let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let call: ReturnType<typeof anon>;
const APP = 'https://app.acme.test';
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  smtp = await startSmtpSink();
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM_EMAIL: 'auth@plinto.test', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  const created = await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme', settings: { appUrl: APP, emailSenderName: 'Acme App' } } });
  expect(created.status).toBe(201);
  call = anon(api, 'acme');
});

/** Signs up and verifies through the emailed link; returns the user's sign-in result. */
async function signUpVerified(email: string, password = PASSWORD) {
  expect((await call('POST', '/v1/auth/sign-up', { email, password })).status).toBe(202);
  const mail = await smtp.waitForEmail(email, /Verify your email/);
  smtp.take(email);
  const verified = await call('POST', '/v1/auth/email/verify', { token: extractLink(mail).searchParams.get('token') });
  expect(verified.status).toBe(200);
  const signIn = await call('POST', '/v1/auth/sign-in', { email, password });
  expect(signIn.status).toBe(200);
  return signIn.body;
}

describe('sign-up and email verification', () => {
  it('signs up, mails a verification link from the tenant app URL, verifies once', async () => {
    const res = await call('POST', '/v1/auth/sign-up', { email: '  Ann.Smith@Example.COM ', password: PASSWORD, displayName: 'Ann' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', message: expect.any(String) });
    const [user] = await sql(api, `select * from users where email = 'ann.smith@example.com'`);
    expect(user).toMatchObject({ display_name: 'Ann', email_verified_at: null });
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const mail = await smtp.waitForEmail('ann.smith@example.com', /Verify your email for Acme App/);
    expect(mail.from).toBe('auth@plinto.test');
    expect(mail.raw).toMatch(/^From: "?Acme App"? <auth@plinto\.test>/m);
    expect(mail.raw).toContain('text/plain');
    expect(mail.raw).toContain('text/html');
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/verify-email`);
    const token = link.searchParams.get('token')!;

    const verified = await call('POST', '/v1/auth/email/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: 'ann.smith@example.com', emailVerified: true });
    const again = await call('POST', '/v1/auth/email/verify', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_TOKEN');
    // Tokens are stored hashed only.
    const tokens = await sql(api, `select token_hash from auth_tokens where user_id = $1`, [user.id]);
    expect(tokens.every((t) => t.token_hash !== token && /^[0-9a-f]{64}$/.test(t.token_hash))).toBe(true);
    const actions = (await sql(api, `select action from audit_events where target_id = $1 order by id`, [user.id])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['user.created', 'email.verified']));
  });

  it('answers a duplicate sign-up (any case) exactly like a new one, and tells the mailbox owner', async () => {
    await signUpVerified('dup@example.com');
    const res = await call('POST', '/v1/auth/sign-up', { email: 'DUP@example.com', password: 'another fine password' });
    const fresh = await call('POST', '/v1/auth/sign-up', { email: 'fresh@example.com', password: 'another fine password' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual(fresh.body);
    const mail = await smtp.waitForEmail('dup@example.com', /already have/);
    expect(extractLink(mail).pathname).toBe('/reset-password');
    expect((await sql(api, `select count(*)::int as n from users where email = 'dup@example.com'`))[0].n).toBe(1);
  });

  it('creates one account from racing sign-ups for one address: one user, one verification token, one user.created, the rest duplicates', async () => {
    const email = 'race@example.com';
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('POST', '/v1/auth/sign-up', { email, password: PASSWORD, metadata: { plan: 'pro' } })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
    const users = await sql(api, `select id, metadata from users where email = $1`, [email]);
    expect(users).toHaveLength(1);
    expect(users[0].metadata).toEqual({ plan: 'pro' });
    const tokens = await sql(api, `select purpose from auth_tokens where user_id = $1 and purpose = 'email_verification'`, [users[0].id]);
    expect(tokens).toHaveLength(1);
    const actions = (await sql(api, `select action from audit_events where target_id = $1`, [users[0].id])).map((r) => r.action).sort();
    expect(actions).toEqual(['user.created', ...Array(5).fill('user.sign_up_duplicate')]);
    const outbox = await sql(api, `select job_name from outbox where tenant_id = (select tenant_id from users where id = $1) and payload->>'to' = $2`, [users[0].id, email]);
    expect(outbox.map((o) => o.job_name).sort()).toEqual([...Array(5).fill('account_exists'), 'email_verification']);
  });

  it('applies the NIST password rules: length, blocklist, 64+ characters, no truncation, NFKC', async () => {
    const short = await call('POST', '/v1/auth/sign-up', { email: 'p1@example.com', password: 'short1' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'PASSWORD_TOO_SHORT', fields: [{ path: 'password' }] });
    const common = await call('POST', '/v1/auth/sign-up', { email: 'p1@example.com', password: 'Password123' });
    expect(common.status).toBe(400);
    expect(common.body.error.code).toBe('PASSWORD_TOO_COMMON');
    const tooLong = await call('POST', '/v1/auth/sign-up', { email: 'p1@example.com', password: 'x'.repeat(257) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields[0].path).toBe('password');

    const long = `${'long passphrase '.repeat(6)}tail-A`; // 102 characters
    await signUpVerified('p2@example.com', long);
    const truncated = await call('POST', '/v1/auth/sign-in', { email: 'p2@example.com', password: `${'long passphrase '.repeat(6)}tail-B` });
    expect(truncated.status).toBe(401);

    // "café" composed at sign-up, decomposed at sign-in: the same password after NFKC.
    await signUpVerified('p3@example.com', 'caf\u00e9 au lait s\u2019il vous plait');
    const decomposed = await call('POST', '/v1/auth/sign-in', { email: 'p3@example.com', password: 'cafe\u0301 au lait s\u2019il vous plait' });
    expect(decomposed.status).toBe(200);
  });

  it('honours the tenant minimum length and the require-verified-email setting', async () => {
    await api.rest('POST', '/v1/tenants', { body: { slug: 'strict', name: 'Strict', settings: { appUrl: 'https://strict.test', requireVerifiedEmail: true, passwordMinLength: 12 } } });
    const strict = anon(api, 'strict');
    expect((await strict('POST', '/v1/auth/sign-up', { email: 's@example.com', password: 'eleven char' })).body.error.code).toBe('PASSWORD_TOO_SHORT');
    expect((await strict('POST', '/v1/auth/sign-up', { email: 's@example.com', password: PASSWORD })).status).toBe(202);
    const early = await strict('POST', '/v1/auth/sign-in', { email: 's@example.com', password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('EMAIL_NOT_VERIFIED');
    const mail = await smtp.waitForEmail('s@example.com', /Verify/);
    expect(extractLink(mail).origin).toBe('https://strict.test');
    await strict('POST', '/v1/auth/email/verify', { token: extractLink(mail).searchParams.get('token') });
    expect((await strict('POST', '/v1/auth/sign-in', { email: 's@example.com', password: PASSWORD })).status).toBe(200);
    // The same email in another tenant is another account.
    expect((await call('POST', '/v1/auth/sign-in', { email: 's@example.com', password: PASSWORD })).status).toBe(401);
  });
});

describe('sign-in and sessions', () => {
  it('signs in over REST and tRPC; the session token authenticates as the user', async () => {
    const result = await signUpVerified('bob@example.com');
    // OAuth field names (RFC 6749 §5.1) on every response that issues tokens.
    expect(result).toMatchObject({ status: 'signed_in', token_type: 'Bearer', expires_in: 600, amr: ['pwd'], aal: 1, user: { email: 'bob@example.com' } });
    expect(result.access_token.split('.')).toHaveLength(3);
    expect(result.refresh_token).toMatch(/^plr_/);
    const me = await asUser(api, result.access_token)('GET', '/v1/auth/session');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ sessionId: result.session_id, amr: ['pwd'], user: { email: 'bob@example.com' } });
    // The session check reads the user its own (faster) way: the same user, field for field, as the admin API's.
    expect(me.body.user).toEqual((await api.rest('GET', `/v1/users/${me.body.user.id}`, { tenant: 'acme' })).body);
    const viaTrpc = await api.trpc({ tenant: 'acme' }).auth.signIn.mutate({ email: 'BOB@example.com', password: PASSWORD });
    expect(viaTrpc.status).toBe('signed_in');
    const [row] = await sql(api, `select * from sessions where id = $1`, [result.session_id]);
    expect(row).toMatchObject({ amr: ['pwd'], aal: 1, revoked_at: null, user_agent: expect.any(String) });
    // Only the refresh token's hash is stored.
    const [refresh] = await sql(api, `select token_hash from refresh_tokens where session_id = $1`, [result.session_id]);
    expect(refresh.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await sql(api, `select * from refresh_tokens`))).not.toContain(result.refresh_token);
    const actions = (await sql(api, `select action from audit_events where action = 'user.signed_in' and target_id = $1`, [result.user.id])).length;
    expect(actions).toBe(2);
    // A session token is not an admin credential.
    const forbidden = await asUser(api, result.access_token)('GET', '/v1/users');
    expect(forbidden.status).toBe(403);
  });
});

describe('password reset', () => {
  it('resets with the emailed token once, ends every session, and clears the old password', async () => {
    const first = await signUpVerified('carol@example.com');
    const forgot = await call('POST', '/v1/auth/password/forgot', { email: 'Carol@Example.com' });
    expect(forgot.status).toBe(202);
    const mail = await smtp.waitForEmail('carol@example.com', /Reset your/);
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/reset-password`);
    const token = link.searchParams.get('token')!;
    const weak = await call('POST', '/v1/auth/password/reset', { token, password: 'password1' });
    expect(weak.body.error.code).toBe('PASSWORD_TOO_COMMON');
    const reset = await call('POST', '/v1/auth/password/reset', { token, password: 'a brand new passphrase' });
    expect(reset.status).toBe(200);
    expect((await call('POST', '/v1/auth/password/reset', { token, password: 'yet another passphrase' })).body.error.code).toBe('INVALID_TOKEN');
    expect((await asUser(api, first.access_token)('GET', '/v1/auth/session')).status).toBe(401);
    expect((await call('POST', '/v1/auth/sign-in', { email: 'carol@example.com', password: PASSWORD })).status).toBe(401);
    expect((await call('POST', '/v1/auth/sign-in', { email: 'carol@example.com', password: 'a brand new passphrase' })).status).toBe(200);
    await smtp.waitForEmail('carol@example.com', /password was changed/);
    const [revoked] = await sql(api, `select revoked_reason from sessions where id = $1`, [first.session_id]);
    expect(revoked.revoked_reason).toBe('password_reset');
    const actions = (await sql(api, `select action from audit_events where target_id = $1`, [first.user.id])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['password.reset_requested', 'password.changed']));
  });
});

describe('magic links', () => {
  it('signs in once with the emailed link; a GET or HEAD of the link burns nothing; racing consumes give one session', async () => {
    await signUpVerified('dave@example.com');
    expect((await call('POST', '/v1/auth/magic-link', { email: 'dave@example.com' })).status).toBe(202);
    const mail = await smtp.waitForEmail('dave@example.com', /sign-in link/);
    smtp.take('dave@example.com');
    const link = extractLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/magic-link`);
    expect(mail.body).toMatch(/10 minutes/);
    const token = link.searchParams.get('token')!;
    // What a mail scanner could do against our API: neither GET nor HEAD consumes.
    for (const method of ['GET', 'HEAD']) {
      const probe = await api.rest(method, `/v1/auth/magic-link/consume?token=${token}`, { token: null, tenant: 'acme' });
      expect(probe.status).not.toBe(200);
    }

    const results = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/v1/auth/magic-link/consume', { token })));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body).toMatchObject({ status: 'signed_in', amr: ['email'], token_type: 'Bearer' });
    expect(results.filter((r) => r.status === 400).every((r) => r.body.error.code === 'INVALID_TOKEN')).toBe(true);
    expect((await call('POST', '/v1/auth/magic-link/consume', { token })).status).toBe(400);
  });

  it('expires: a consumed-late link is refused', async () => {
    await signUpVerified('erin@example.com');
    await call('POST', '/v1/auth/magic-link', { email: 'erin@example.com' });
    const token = extractLink(await smtp.waitForEmail('erin@example.com', /sign-in link/)).searchParams.get('token')!;
    await sql(api, `update auth_tokens set expires_at = now() - interval '1 second' where purpose = 'magic_link'`);
    expect((await call('POST', '/v1/auth/magic-link/consume', { token })).body.error.code).toBe('INVALID_TOKEN');
  });
});

describe('TOTP MFA', () => {
  it('enrolls, confirms, challenges at sign-in, accepts each code once, recovery codes once, disables with re-authentication', async () => {
    await freshTotpStep();
    const first = await signUpVerified('frank@example.com');
    const as = asUser(api, first.access_token);
    expect((await call('POST', '/v1/auth/mfa/totp', {})).status).toBe(401);
    const enroll = await as('POST', '/v1/auth/mfa/totp', {});
    expect(enroll.status).toBe(201);
    const parsed = OTPAuth.URI.parse(enroll.body.otpauthUri) as OTPAuth.TOTP;
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed).toMatchObject({ issuer: 'Acme', label: 'frank@example.com', digits: 6, period: 30 });
    expect(parsed.secret.base32).toBe(enroll.body.secret);
    // The seed is sealed at rest (AES-256-GCM under the master key), never stored in the clear.
    const [factor] = await sql(api, `select secret from mfa_totp_factors where user_id = $1`, [first.user.id]);
    expect(factor.secret).toMatch(/^v1\./);
    expect(factor.secret).not.toContain(enroll.body.secret);
    const totp = totpFor(enroll.body.secret);
    expect((await as('POST', '/v1/auth/mfa/totp/confirm', { code: totp.at(5) })).body.error.code).toBe('INVALID_MFA_CODE');
    const confirm = await as('POST', '/v1/auth/mfa/totp/confirm', { code: totp.now() });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    const stored = await sql(api, `select code_hash from mfa_recovery_codes where user_id = $1`, [first.user.id]);
    expect(stored).toHaveLength(10);
    expect(stored.some((r) => confirm.body.recoveryCodes.includes(r.code_hash))).toBe(false);
    await smtp.waitForEmail('frank@example.com', /Two-factor authentication is on/);

    const challenge = await call('POST', '/v1/auth/sign-in', { email: 'frank@example.com', password: PASSWORD });
    expect(challenge.body).toMatchObject({ status: 'mfa_required', methods: ['totp', 'recovery_code'] });
    // The code used to confirm cannot be replayed (same step).
    const replay = await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge.body.challengeToken, code: totp.now() });
    expect(replay.body.error.code).toBe('INVALID_MFA_CODE');
    const next = totp.at(1);
    const done = await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge.body.challengeToken, code: next });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'signed_in', amr: ['pwd', 'otp'], aal: 2 });
    expect((await asUser(api, done.body.access_token)('GET', '/v1/auth/session')).body).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    // The challenge is spent, and the code too (on a fresh challenge).
    expect((await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge.body.challengeToken, code: next })).body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const again = await call('POST', '/v1/auth/sign-in', { email: 'frank@example.com', password: PASSWORD });
    expect((await call('POST', '/v1/auth/mfa/verify', { challengeToken: again.body.challengeToken, code: next })).body.error.code).toBe('INVALID_MFA_CODE');

    const recovery = confirm.body.recoveryCodes[0];
    const viaRecovery = await call('POST', '/v1/auth/mfa/verify', { challengeToken: again.body.challengeToken, recoveryCode: recovery.toUpperCase() });
    expect(viaRecovery.status).toBe(200);
    const third = await call('POST', '/v1/auth/sign-in', { email: 'frank@example.com', password: PASSWORD });
    expect((await call('POST', '/v1/auth/mfa/verify', { challengeToken: third.body.challengeToken, recoveryCode: recovery })).body.error.code).toBe('INVALID_MFA_CODE');

    // Disabling needs re-authentication with the factor.
    const asMfa = asUser(api, done.body.access_token);
    expect((await asMfa('DELETE', '/v1/auth/mfa/totp')).body.error.code).toBe('INVALID_MFA_CODE');
    const off = await asMfa('DELETE', `/v1/auth/mfa/totp?recoveryCode=${confirm.body.recoveryCodes[1]}`);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ enabled: false });
    expect((await call('POST', '/v1/auth/sign-in', { email: 'frank@example.com', password: PASSWORD })).body.status).toBe('signed_in');
    await smtp.waitForEmail('frank@example.com', /Two-factor authentication is off/);
    const actions = (await sql(api, `select action from audit_events where target_id = $1`, [first.user.id])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['mfa.enabled', 'mfa.disabled', 'mfa.challenge_issued', 'mfa.verification_failed', 'mfa.recovery_code_used']));
  });

  it('invalidates a challenge after too many wrong codes, even for the right code afterwards', async () => {
    const first = await signUpVerified('gina@example.com');
    const as = asUser(api, first.access_token);
    const totp = totpFor((await as('POST', '/v1/auth/mfa/totp', {})).body.secret);
    await as('POST', '/v1/auth/mfa/totp/confirm', { code: totp.now() });
    const challenge = (await call('POST', '/v1/auth/sign-in', { email: 'gina@example.com', password: PASSWORD })).body.challengeToken;
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge, code: '000000' })).status).toBe(401);
    }
    const late = await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge, code: totp.at(1) });
    expect(late.body.error.code).toBe('MFA_CHALLENGE_INVALID');
  });
});

describe('magic link with MFA', () => {
  it('asks an enrolled user for the second factor after the link, and records both methods', async () => {
    await freshTotpStep();
    const first = await signUpVerified('ivan@example.com');
    const as = asUser(api, first.access_token);
    const totp = totpFor((await as('POST', '/v1/auth/mfa/totp', {})).body.secret);
    expect((await as('POST', '/v1/auth/mfa/totp/confirm', { code: totp.now() })).status).toBe(200);
    await call('POST', '/v1/auth/magic-link', { email: 'ivan@example.com' });
    const token = extractLink(await smtp.waitForEmail('ivan@example.com', /sign-in link/)).searchParams.get('token');
    const challenge = await call('POST', '/v1/auth/magic-link/consume', { token });
    expect(challenge.body.status).toBe('mfa_required');
    const done = await call('POST', '/v1/auth/mfa/verify', { challengeToken: challenge.body.challengeToken, code: totp.at(1) });
    expect(done.body).toMatchObject({ status: 'signed_in', amr: ['email', 'otp'], aal: 2 });
  });
});

describe('user management for tenant admins', () => {
  it('lists with cursor and search, gets, updates, disables (ending sessions), enables and deletes', async () => {
    const henry = await signUpVerified('henry@example.com');
    for (const n of [1, 2, 3]) await call('POST', '/v1/auth/sign-up', { email: `page${n}@list.test`, password: PASSWORD });
    const admin = (method: string, path: string, body?: unknown) => api.rest(method, path, { body, tenant: 'acme' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin('GET', `/v1/users?limit=2&search=list.test${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((u: { email: string }) => u.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page3@list.test', 'page2@list.test', 'page1@list.test']);

    const id = henry.user.id;
    expect((await admin('GET', `/v1/users/${id}`)).body).toMatchObject({ email: 'henry@example.com', emailVerified: true });
    expect((await api.rest('GET', `/v1/users/${id}`, { tenant: 'default' })).status).toBe(404);
    const updated = await admin('PATCH', `/v1/users/${id}`, { displayName: 'Henry', metadata: { plan: 'pro' } });
    expect(updated.body).toMatchObject({ displayName: 'Henry', metadata: { plan: 'pro' } });
    const taken = await admin('PATCH', `/v1/users/${id}`, { email: 'Bob@example.com' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('EMAIL_TAKEN');

    expect((await admin('POST', `/v1/users/${id}/disable`)).body.disabled).toBe(true);
    expect((await asUser(api, henry.access_token)('GET', '/v1/auth/session')).status).toBe(401);
    const refused = await call('POST', '/v1/auth/sign-in', { email: 'henry@example.com', password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('USER_DISABLED');
    expect((await admin('GET', '/v1/users?disabled=true')).body.items.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await admin('POST', `/v1/users/${id}/enable`)).body.disabled).toBe(false);
    expect((await call('POST', '/v1/auth/sign-in', { email: 'henry@example.com', password: PASSWORD })).status).toBe(200);

    expect((await admin('DELETE', `/v1/users/${id}`)).status).toBe(200);
    expect((await admin('GET', `/v1/users/${id}`)).body.error.code).toBe('USER_NOT_FOUND');
    expect((await sql(api, `select count(*)::int as n from sessions where user_id = $1`, [id]))[0].n).toBe(0);
    const actions = (await sql(api, `select action, actor_type from audit_events where target_id = $1 and actor_type = 'platform_operator'`, [id])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['user.updated', 'user.disabled', 'user.enabled', 'user.deleted']));
    await waitFor(async () => (await sql(api, `select count(*)::int as n from outbox where dispatched_at is null`))[0].n === 0, 'outbox drained');
  });
});
