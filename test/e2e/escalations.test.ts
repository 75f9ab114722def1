import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { tokenServicesOf } from '@plinto/auth';
import { freePort, signedInUser, startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';

/**
 * The escalations found when Plinto was tried as an attacker would, each performed again here
 * over REST against the real api: every one now stops at its first step.
 */
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const T = 'esc';
const users = {} as Record<'owner' | 'admin' | 'plain', SignedInUser>;
let tenantId: string;

const as = (token: string | undefined, method: string, path: string, body?: unknown) => api.rest(method, path, { token: token ?? null, tenant: T, body });
const operator = (method: string, path: string, body?: unknown) => api.rest(method, path, { tenant: T, body });

async function roleId(name: string): Promise<string> {
  const roles = await operator('GET', '/v1/policies/roles?limit=100');
  return roles.body.items.find((r: { name: string }) => r.name === name).id;
}

beforeAll(async () => {
  const port = await freePort();
  smtp = await startSmtpSink(port);
  api = await startTestApi({ EMAIL_PROVIDER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  await startTestWorkers(api.config);
  tenantId = (await operator('POST', '/v1/tenants', { slug: T, name: 'Escalations', settings: { appUrl: 'https://app.esc.example' } })).body.id;
  for (const who of ['owner', 'admin', 'plain'] as const) {
    users[who] = await signedInUser(api, { email: `${who}@esc.example`, tenant: T });
    if (who !== 'plain') expect((await operator('POST', `/v1/policies/roles/${await roleId(who)}/assign`, { userId: users[who].id })).status).toBe(201);
  }
}, 60_000);

describe('1. an admin cannot take over the owner', () => {
  it('changing the owner’s email (vouching for it or not) is refused: the chain stops at its first step', async () => {
    const vouched = await as(users.admin.token, 'PATCH', `/v1/users/${users.owner.id}`, { email: 'mine@attacker.example', emailVerified: true });
    expect(vouched.status).toBe(403);
    expect(vouched.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'users:provision' } });
    const plain = await as(users.admin.token, 'PATCH', `/v1/users/${users.owner.id}`, { email: 'mine@attacker.example' });
    expect(plain.status).toBe(403);
    expect(plain.body.error).toMatchObject({ code: 'PRINCIPAL_OUTRANKS', fields: [{ path: 'userId' }] });
    expect((await operator('GET', `/v1/users/${users.owner.id}`)).body.email).toBe('owner@esc.example');
  });

  it('an admin changing a weaker user’s email leaves it unverified and mails the new address; only a provisioner may vouch', async () => {
    const target = await signedInUser(api, { email: 'moved@esc.example', tenant: T });
    const changed = await as(users.admin.token, 'PATCH', `/v1/users/${target.id}`, { email: 'moved-new@esc.example' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ email: 'moved-new@esc.example', emailVerified: false });
    const mail = await smtp.waitForEmail('moved-new@esc.example', /Verify/);
    const token = extractLink(mail).searchParams.get('token');
    expect((await as(undefined, 'POST', '/v1/auth/email/verify', { token })).body).toMatchObject({ status: 'verified', user: { emailVerified: true } });
    // Server-side provisioning by the owner may vouch for an address directly.
    const vouched = await as(users.owner.token, 'PATCH', `/v1/users/${target.id}`, { email: 'provisioned@esc.example', emailVerified: true });
    expect(vouched.body).toMatchObject({ email: 'provisioned@esc.example', emailVerified: true });
  });
});

describe('2. an invitation never hands anyone a verified account for an address they do not control', () => {
  it('the inviter never sees the token; only the invited mailbox can accept, and then the account is verified', async () => {
    const org = await as(users.plain.token, 'POST', '/v1/orgs', { name: 'Mallory Inc' });
    expect(org.status).toBe(201);
    const invited = await as(users.plain.token, 'POST', '/v1/invitations', { organizationId: org.body.id, email: 'ceo@victim.example' });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ link: null, token: null });
    const resent = await as(users.plain.token, 'POST', `/v1/invitations/${invited.body.id}/resend`, {});
    expect(resent.body).toMatchObject({ link: null, token: null });
    const bulk = await as(users.plain.token, 'POST', '/v1/invitations/bulk', { organizationId: org.body.id, invitations: [{ email: 'cfo@victim.example' }] });
    expect(bulk.body.results[0]).toMatchObject({ status: 'created' });
    expect(bulk.body.results[0].link).toBeUndefined();
    // Only the mailbox has the link (the resent one: resending replaced the first); accepting with it proves receipt.
    const mails = await waitFor(() => {
      const mine = smtp.messages.filter((m) => m.to.includes('ceo@victim.example'));
      return mine.length >= 2 ? mine : null;
    }, 'the invitation and its resend');
    // The two may arrive in either order (the workers send them concurrently): exactly one link
    // accepts, whichever is tried first.
    const answers = [];
    for (const mail of mails) answers.push(await as(undefined, 'POST', '/v1/invitations/accept', { token: extractLink(mail).searchParams.get('token'), password: 'the real ceo chose this' }));
    const accepted = answers.find((a) => a.status === 200)!;
    expect(answers.map((a) => a.status === 200)).toEqual(expect.arrayContaining([true, false]));
    expect(accepted.body.user).toMatchObject({ email: 'ceo@victim.example', created: true });
    expect((await operator('GET', `/v1/users/${accepted.body.user.id}`)).body.emailVerified).toBe(true);
  });

  it('server-side provisioning (users:provision: owners, operators) still receives the link to deliver itself', async () => {
    const org = (await as(users.owner.token, 'POST', '/v1/orgs', { name: 'Owner Org' })).body;
    const invited = await as(users.owner.token, 'POST', '/v1/invitations', { organizationId: org.id, email: 'hire@esc.example' });
    expect(invited.body.token).toEqual(expect.any(String));
    expect(invited.body.link).toContain('token=');
  });
});

describe('3. an admin cannot disable the owner, nor end the owner’s sessions', () => {
  it('refuses with 403 PRINCIPAL_OUTRANKS and the owner stays signed in', async () => {
    const disabled = await as(users.admin.token, 'POST', `/v1/users/${users.owner.id}/disable`);
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('PRINCIPAL_OUTRANKS');
    expect((await as(users.admin.token, 'POST', `/v1/users/${users.owner.id}/sessions/revoke-all`)).body.error.code).toBe('PRINCIPAL_OUTRANKS');
    expect((await as(users.owner.token, 'GET', '/v1/me')).status).toBe(200);
    // Nor remove the owner's role.
    const unassigned = await as(users.admin.token, 'DELETE', `/v1/policies/roles/${await roleId('owner')}/unassign?userId=${users.owner.id}`);
    expect(unassigned.status).toBe(403);
    expect(['PERMISSION_NOT_HELD', 'PRINCIPAL_OUTRANKS']).toContain(unassigned.body.error.code);
  });
});

describe('4. deleting a user needs users:delete', () => {
  it('an admin (users:write) is refused; the owner may', async () => {
    const victim = await signedInUser(api, { email: 'deleted@esc.example', tenant: T });
    const refused = await as(users.admin.token, 'DELETE', `/v1/users/${victim.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'users:delete' } });
    expect((await as(users.owner.token, 'DELETE', `/v1/users/${victim.id}`)).status).toBe(200);
  });
});

describe('5. every authenticated route refuses a disabled tenant, /v1/me included', () => {
  it('answers 403 TENANT_DISABLED to its user tokens and API keys', async () => {
    const slug = 'esc-disabled';
    await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } });
    const user = await signedInUser(api, { email: 'someone@esc-disabled.example', tenant: slug });
    const key = (await api.rest('POST', '/v1/api-keys', { tenant: slug, body: { name: 'k', role: 'viewer' } })).body.key;
    expect((await api.rest('GET', '/v1/me', { token: user.token, tenant: slug })).status).toBe(200);
    expect((await api.rest('POST', `/v1/tenants/${slug}/disable`)).status).toBe(200);
    for (const token of [user.token, key]) {
      for (const path of ['/v1/me', '/v1/whoami', '/v1/auth/session', '/v1/orgs']) {
        const res = await api.rest('GET', path, { token });
        expect(res.status, path).toBe(403);
        expect(res.body.error.code, path).toBe('TENANT_DISABLED');
      }
    }
  });
});

describe('6. access-token claims must agree with what Plinto knows', () => {
  /** A token signed with the tenant's real current key, with the claims an attacker chose. */
  async function forged(claims: Record<string, unknown>): Promise<string> {
    const signer = await tokenServicesOf(api.server).keyring.signer(tenantId);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tid: tenantId, jti: randomUUID(), amr: ['pwd'], aal: 1, ...claims })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(`${api.config.PUBLIC_URL}/t/${T}`)
      .setAudience(api.config.PUBLIC_URL)
      .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now)
      .setNotBefore(now)
      .setExpirationTime(now + 300)
      .sign(signer.key);
  }
  const sessionOf = async (user: SignedInUser) => (await as(user.token, 'GET', '/v1/auth/session')).body.sessionId as string;

  it('accepts the claims a real session has (the forging is sound)', async () => {
    const token = await forged({ sub: users.plain.id, sid: await sessionOf(users.plain) });
    expect((await as(token, 'GET', '/v1/me')).status).toBe(200);
  });

  it.each([
    ['a session of another user', async () => ({ sub: users.plain.id, sid: await sessionOf(users.admin) })],
    ['a session that does not exist', async () => ({ sub: users.plain.id, sid: randomUUID() })],
    ['no session at all', async () => ({ sub: users.plain.id })],
    ['an iat a day in the future', async () => ({ sub: users.plain.id, sid: await sessionOf(users.plain), iat: Math.floor(Date.now() / 1000) + 86_400 })],
  ])('refuses a validly signed token naming %s with 401 (never 500)', async (_what, claims) => {
    const res = await as(await forged(await claims()), 'GET', '/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('7. organization owners make their organization’s credentials', () => {
  it('creates organization-owned API keys and machine clients, never tenant-wide ones', async () => {
    const founder = await signedInUser(api, { email: 'founder@esc.example', tenant: T });
    const org = (await as(founder.token, 'POST', '/v1/orgs', { name: 'Founder Co' })).body;
    const key = await as(founder.token, 'POST', '/v1/api-keys', { name: 'org automation', role: 'admin', organizationId: org.id });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const client = await as(founder.token, 'POST', '/v1/clients', { name: 'org backend', roles: ['member'], organizationId: org.id });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    expect((await as(founder.token, 'POST', '/v1/api-keys', { name: 'tenant-wide', role: 'viewer' })).status).toBe(403);
    // And another organization's keys are none of the founder's business.
    const other = (await operator('POST', '/v1/orgs', { name: 'Other Co' })).body;
    expect((await as(founder.token, 'POST', '/v1/api-keys', { name: 'x', role: 'viewer', organizationId: other.id })).status).toBe(403);
  });
});

describe("8. owners run their own application's authorization", () => {
  it('a tenant owner API key creates roles and policies over the application’s permissions', async () => {
    const ownerKey = (await operator('POST', '/v1/api-keys', { name: 'owner key', role: 'owner' })).body.key;
    const role = await as(ownerKey, 'POST', '/v1/policies/roles', { name: 'invoice-clerk', permissions: ['invoices:read', 'invoices:write'] });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const policy = await as(ownerKey, 'POST', '/v1/policies', { name: 'auditors read invoices', effect: 'allow', subjects: ['role:viewer'], actions: ['invoices:read'], resources: ['invoice:*'] });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    // An admin (no app_permissions:manage, holding none of them) may not.
    const refused = await as(users.admin.token, 'POST', '/v1/policies/roles', { name: 'sneaky-clerk', permissions: ['invoices:read'] });
    expect(refused.body.error.code).toBe('PERMISSION_NOT_HELD');
  });

  it('an organization owner evaluates within their organization, not in another', async () => {
    const founder = await signedInUser(api, { email: 'evaluator@esc.example', tenant: T });
    const org = (await as(founder.token, 'POST', '/v1/orgs', { name: 'Evaluator Co' })).body;
    const request = (organizationId: string) => ({ subject: `user:${founder.id}`, action: 'invoices:read', resource: 'invoice:1', context: { organizationId } });
    expect((await as(founder.token, 'POST', '/v1/policies/evaluate', request(org.id))).status).toBe(200);
    const other = (await operator('POST', '/v1/orgs', { name: 'Not Yours' })).body;
    expect((await as(founder.token, 'POST', '/v1/policies/evaluate', request(other.id))).status).toBe(403);
  });
});

describe('9. password rules refuse what NIST SP 800-63B calls repetitive, and what no one types', () => {
  it.each([
    ['aaaaaaaa', 'PASSWORD_TOO_SIMPLE'],
    ['        ', 'PASSWORD_TOO_SIMPLE'],
    ['\u0000'.repeat(8), 'PASSWORD_INVALID_CHARACTERS'],
    ['rstuvwxyz', 'PASSWORD_TOO_SIMPLE'],
  ])('%j at sign-up answers 400 %s naming the field', async (password, code) => {
    const res = await as(undefined, 'POST', '/v1/auth/sign-up', { email: `weak-${code.length}-${password.length}@esc.example`, password });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, fields: [{ path: 'password' }] });
  });
});

describe('10. webhook destinations that can only mean this machine are refused when saved', () => {
  it.each(['http://localhost/', 'http://localhost./', 'http://LOCALHOST/', 'https://api.localhost/hook', 'http://LocalHost.:8080/x'])('%s', async (url) => {
    const res = await as(users.owner.token, 'POST', '/v1/webhooks/endpoints', { url });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', fields: [{ path: 'url' }] });
  });
});
