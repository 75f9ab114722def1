import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, signedInUserWithRole, startTestApi, type SignedInUser, type TestApi } from '../src';
import { freshTotpStep, totpFor } from './auth-helpers';

/**
 * A tenant-wide MFA requirement (`mfa.required`, owner-only): a user without a second factor who
 * signs in is told to enrol (the hosted pages send them to the account page) and their session
 * holds no permission until they sign in with one — performed as an admin whose admin calls are
 * refused, then allowed after enrolling. The owner cannot switch it on from a session without a
 * second factor (no self-lockout), and another tenant is unaffected.
 */
const M = 'mfa-req';
const O = 'mfa-other';
let api: TestApi;

const call = (tenant: string, token: string | null) => (method: string, path: string, body?: unknown) => api.rest(method, path, { tenant, token, body });

const userWithRole = (tenant: string, email: string, role: string) => signedInUserWithRole(api, tenant, email, role);

/** Enrols TOTP with `token` and answers a generator of its codes. */
async function enrolTotp(tenant: string, token: string) {
  await freshTotpStep();
  const enrol = await call(tenant, token)('POST', '/v1/auth/mfa/totp', {});
  expect(enrol.status, JSON.stringify(enrol.body)).toBe(201);
  const totp = totpFor(enrol.body.secret);
  const confirmed = await call(tenant, token)('POST', '/v1/auth/mfa/totp/confirm', { code: totp.now() });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBeLessThan(300);
  return totp;
}

/** Password, then the TOTP code of the next step (the confirming code's step is spent). */
async function signInWithTotp(tenant: string, user: SignedInUser, totp: ReturnType<typeof totpFor>): Promise<string> {
  const first = await call(tenant, null)('POST', '/v1/auth/sign-in', { email: user.email, password: user.password });
  expect(first.body.status).toBe('mfa_required');
  const done = await call(tenant, null)('POST', '/v1/auth/mfa/verify', { challengeToken: first.body.challengeToken, code: totp.at(1) });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.aal).toBe(2);
  return done.body.access_token;
}

let owner: SignedInUser;
let admin: SignedInUser;
let adminOfOther: SignedInUser;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  for (const slug of [M, O]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  owner = await userWithRole(M, 'owner@mfa-req.test', 'owner');
  admin = await userWithRole(M, 'admin@mfa-req.test', 'admin');
  adminOfOther = await userWithRole(O, 'admin@mfa-other.test', 'admin');
}, 120_000);

describe('a tenant-wide MFA requirement', () => {
  it('cannot be switched on from a session without a second factor, and is owner-only', async () => {
    const own = await call(M, owner.token)('PATCH', '/v1/tenant/settings', { settings: { mfa: { required: true } } });
    expect(own.status).toBe(400);
    expect(own.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['settings.mfa.required']);
    const byAdmin = await call(M, admin.token)('PATCH', '/v1/tenant/settings', { settings: { mfa: { required: true } } });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.details.permission).toBe('settings:secure');
    const bad = await call(M, owner.token)('PATCH', '/v1/tenant/settings', { settings: { mfa: { required: 'yes' } } });
    expect(bad.status).toBe(400);
  });

  it('sends a user without MFA to enrol: no permission until they sign in with a second factor; the other tenant is unaffected', async () => {
    const totpOfOwner = await enrolTotp(M, owner.token);
    const strongOwner = await signInWithTotp(M, owner, totpOfOwner);
    const on = await call(M, strongOwner)('PATCH', '/v1/tenant/settings', { settings: { mfa: { required: true } } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.settings.mfa).toEqual({ required: true });

    // The admin has no second factor: signed in, told to enrol.
    const signIn = await call(M, null)('POST', '/v1/auth/sign-in', { email: admin.email, password: admin.password });
    expect(signIn.body).toMatchObject({ status: 'signed_in', aal: 1, mfaEnrollmentRequired: true });
    const weak = call(M, signIn.body.access_token);
    const refused = await weak('GET', '/v1/users?limit=5');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('MFA_ENROLLMENT_REQUIRED');
    // The admin's older token (signed in before the rule) is held back too: the rule is read per call.
    expect((await call(M, admin.token)('GET', '/v1/users?limit=5')).body.error.code).toBe('MFA_ENROLLMENT_REQUIRED');
    // Acting on oneself still works, so enrolling does.
    expect((await weak('GET', '/v1/me')).status).toBe(200);
    const totp = await enrolTotp(M, signIn.body.access_token);
    const strong = await signInWithTotp(M, admin, totp);
    expect((await call(M, strong)('GET', '/v1/users?limit=5')).status).toBe(200);

    // The hosted pages send such a sign-in to the account page instead of where it was going.
    const origin = new URL(api.url).origin;
    const other = await signedInUser(api, { email: 'late@mfa-req.test', tenant: M }).catch(() => null);
    expect(other).not.toBeNull();
    const page = await fetch(`${api.url}/t/${M}/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email: 'late@mfa-req.test', password: other!.password, returnTo: `/t/${M}/somewhere` }),
    });
    expect(page.status).toBe(200);
    expect(((await page.json()) as { redirectTo: string }).redirectTo).toBe(`/t/${M}/account?mfa=required`);

    // Another tenant: no requirement, no flag, admin calls allowed.
    const elsewhere = await call(O, null)('POST', '/v1/auth/sign-in', { email: adminOfOther.email, password: adminOfOther.password });
    expect(elsewhere.body.status).toBe('signed_in');
    expect(elsewhere.body.mfaEnrollmentRequired).toBeUndefined();
    expect((await call(O, elsewhere.body.access_token)('GET', '/v1/users?limit=5')).status).toBe(200);
  });
});
