import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, type SignedInUser, type TestApi } from '../src';
import { addMember, as, createOrg, invitationRow, members, sql, provisioner } from './invitations-support';

/**
 * Who may do what with invitations, performed as attacks: another organization's admin, another
 * tenant, plain members offering roles above their own, strangers with an invitation id, and
 * twenty simultaneous accepts of one link. No emails are needed here (the `log` provider).
 */
let api: TestApi;
const A = 'tenant-a';
const B = 'tenant-b';
const PASSWORD = 'a perfectly fine passphrase';
let alice: SignedInUser; // owner of orgA
let bob: SignedInUser; // owner of orgB (same tenant)
let mike: SignedInUser; // plain member of orgA
let vera: SignedInUser; // viewer of orgA
let carl: SignedInUser; // owner of orgC, tenant B
let orgA: { id: string };
let orgB: { id: string };
let orgC: { id: string };
let invitation: { id: string; token: string };

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  for (const slug of [A, B]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  [alice, bob, mike, vera] = await Promise.all(['alice', 'bob', 'mike', 'vera'].map((n) => signedInUser(api, { email: `${n}@a.test`, tenant: A })));
  carl = await signedInUser(api, { email: 'carl@b.test', tenant: B });
  orgA = await createOrg(api, alice!.token, { slug: 'org-a', name: 'Org A' });
  orgB = await createOrg(api, bob!.token, { slug: 'org-b', name: 'Org B' });
  orgC = await createOrg(api, carl.token, { slug: 'org-c', name: 'Org C' });
  await addMember(api, alice!.token, orgA.id, mike!.id, 'member');
  await addMember(api, alice!.token, orgA.id, vera!.id, 'viewer');
  // Made by server-side provisioning, which receives the link (see provisioner()).
  const res = await provisioner(api, A)('POST', '/v1/invitations', { organizationId: orgA.id, email: 'target@a.test', role: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  invitation = res.body;
});

const expectCode = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
};

describe("another organization's admin", () => {
  it('cannot see, list, change, resend, revoke or create invitations of an organization it does not manage', async () => {
    const asBob = as(api, bob.token);
    expectCode(await asBob('GET', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asBob('PATCH', `/v1/invitations/${invitation.id}`, { role: 'member' }), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asBob('POST', `/v1/invitations/${invitation.id}/resend`, {}), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asBob('DELETE', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asBob('GET', `/v1/invitations?organizationId=${orgA.id}`), 403, 'FORBIDDEN');
    expectCode(await asBob('GET', '/v1/invitations'), 403, 'FORBIDDEN');
    expectCode(await asBob('POST', '/v1/invitations', { organizationId: orgA.id, email: 'x@a.test' }), 403, 'FORBIDDEN');
    expectCode(await asBob('POST', '/v1/invitations/bulk', { organizationId: orgA.id, invitations: [{ email: 'x@a.test' }] }), 403, 'FORBIDDEN');
    expectCode(await asBob('POST', '/v1/invitations/cleanup', { organizationId: orgA.id }), 403, 'FORBIDDEN');
    expectCode(await asBob('POST', '/v1/invitations/cleanup', {}), 403, 'FORBIDDEN');
    // Their own organization works.
    expect((await asBob('POST', '/v1/invitations', { organizationId: orgB.id, email: 'x@a.test' })).status).toBe(201);
    expect((await asBob('GET', `/v1/invitations?organizationId=${orgB.id}`)).body.items).toHaveLength(1);
    expect(await invitationRow(api, invitation.id)).toMatchObject({ status: 'pending', role: 'admin', send_count: 1 });
  });

  it('over tRPC too', async () => {
    const client = api.trpc({ token: bob.token });
    await expect(client.invitations.get.query({ id: invitation.id })).rejects.toMatchObject({ data: { code: 'INVITATION_NOT_FOUND', httpStatus: 404 } });
    await expect(client.invitations.revoke.mutate({ id: invitation.id })).rejects.toMatchObject({ data: { code: 'INVITATION_NOT_FOUND' } });
    await expect(client.invitations.resend.mutate({ id: invitation.id })).rejects.toMatchObject({ data: { code: 'INVITATION_NOT_FOUND' } });
    await expect(client.invitations.list.query({ organizationId: orgA.id })).rejects.toMatchObject({ data: { code: 'FORBIDDEN', httpStatus: 403 } });
  });
});

describe('another tenant', () => {
  it("cannot reach tenant A's invitations or organizations, even as its own tenant admin", async () => {
    const asCarl = as(api, carl.token);
    expectCode(await asCarl('GET', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asCarl('DELETE', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await asCarl('POST', '/v1/invitations', { organizationId: orgA.id, email: 'x@b.test' }), 403, 'FORBIDDEN');
    // Tenant B's administrator (the platform key naming tenant B) holds everything there, and nothing in A.
    const adminB = as(api, api.platformKey, B);
    expectCode(await adminB('GET', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await adminB('POST', `/v1/invitations/${invitation.id}/resend`, {}), 404, 'INVITATION_NOT_FOUND');
    expectCode(await adminB('PATCH', `/v1/invitations/${invitation.id}`, { role: 'member' }), 404, 'INVITATION_NOT_FOUND');
    expectCode(await adminB('DELETE', `/v1/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectCode(await adminB('POST', '/v1/invitations', { organizationId: orgA.id, email: 'x@b.test' }), 404, 'INVITATION_ORGANIZATION_NOT_FOUND');
    expect((await adminB('GET', `/v1/invitations?organizationId=${orgA.id}`)).body.items).toEqual([]);
    expect((await adminB('GET', '/v1/invitations')).body.items).toEqual([]);
    // The token itself is tenant A's: in tenant B it is invalid, anonymous or signed in with the same email.
    expectCode(await as(api, null, B)('GET', `/v1/invitation-tokens/${invitation.token}`), 404, 'INVITATION_INVALID');
    expectCode(await as(api, null, B)('POST', '/v1/invitations/accept', { token: invitation.token, password: PASSWORD }), 404, 'INVITATION_INVALID');
    const twin = await signedInUser(api, { email: 'target@a.test', tenant: B });
    expectCode(await as(api, twin.token)('POST', '/v1/invitations/accept', { token: invitation.token }), 404, 'INVITATION_INVALID');
    expect(await invitationRow(api, invitation.id)).toMatchObject({ status: 'pending' });
    expect(await members(api, orgC.id)).toHaveLength(1);
  });
});

describe('accepting by id instead of by token', () => {
  it('an invitation id is not a token, and the accept input has no id', async () => {
    expectCode(await as(api, null, A)('POST', '/v1/invitations/accept', { token: invitation.id, password: PASSWORD }), 404, 'INVITATION_INVALID');
    const byId = await as(api, null, A)('POST', '/v1/invitations/accept', { id: invitation.id, password: PASSWORD });
    expect(byId.status).toBe(400);
    expect(byId.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'token' }] });
    expect(await invitationRow(api, invitation.id)).toMatchObject({ status: 'pending', accepted_user_id: null });
  });
});

describe('members and viewers', () => {
  it('a member invites with roles it holds, never above (owner/admin), and cannot raise a pending one', async () => {
    const asMike = as(api, mike.token);
    const ok = await asMike('POST', '/v1/invitations', { organizationId: orgA.id, email: 'friend@a.test', role: 'member' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    for (const role of ['owner', 'admin']) {
      const res = await asMike('POST', '/v1/invitations', { organizationId: orgA.id, email: `boss-${role}@a.test`, role });
      expectCode(res, 403, 'PERMISSION_NOT_HELD');
      expect(res.body.error.fields[0].path).toBe('role');
    }
    const bulk = await asMike('POST', '/v1/invitations/bulk', { organizationId: orgA.id, invitations: [{ email: 'b1@a.test' }, { email: 'b2@a.test', role: 'owner' }] });
    expectCode(bulk, 403, 'PERMISSION_NOT_HELD');
    expect(bulk.body.error.fields[0].path).toBe('invitations.1.role');
    expectCode(await asMike('PATCH', `/v1/invitations/${ok.body.id}`, { role: 'owner' }), 403, 'PERMISSION_NOT_HELD');
    // Re-issuing alice's admin invitation would hand mike a link to an admin seat.
    expectCode(await asMike('POST', `/v1/invitations/${invitation.id}/resend`, {}), 403, 'PERMISSION_NOT_HELD');
    expect((await sql(api, `select count(*)::int as n from invitations where email like 'b_@a.test' or email like 'boss-%'`))[0].n).toBe(0);
    expectCode(await asMike('POST', '/v1/invitations', { organizationId: orgA.id, email: 'nobody@a.test', role: 'no-such-role' }), 400, 'VALIDATION_FAILED');
  });

  it('a viewer can neither read nor send invitations', async () => {
    const asVera = as(api, vera.token);
    expect((await asVera('GET', `/v1/invitations?organizationId=${orgA.id}`)).status).toBe(403);
    expectCode(await asVera('POST', '/v1/invitations', { organizationId: orgA.id, email: 'v@a.test', role: 'viewer' }), 403, 'FORBIDDEN');
  });
});

describe('twenty concurrent accepts of one link', () => {
  it('create exactly one account and one membership (new user)', async () => {
    const res = await provisioner(api, A)('POST', '/v1/invitations', { organizationId: orgA.id, email: 'racer@a.test' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => as(api, null, A)('POST', '/v1/invitations/accept', { token: res.body.token, password: PASSWORD })));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expectCode(a, 404, 'INVITATION_INVALID');
    expect((await sql(api, `select count(*)::int as n from users where email = 'racer@a.test'`))[0].n).toBe(1);
    expect((await members(api, orgA.id)).filter((m) => m.user_id === ok[0]!.body.user.id)).toHaveLength(1);
    expect((await sql(api, `select count(*)::int as n from audit_events where action = 'invitation.accepted' and target_id = $1`, [res.body.id]))[0].n).toBe(1);
  });

  it('create exactly one membership (existing, signed-in user)', async () => {
    const runner = await signedInUser(api, { email: 'runner@a.test', tenant: A });
    const res = await provisioner(api, A)('POST', '/v1/invitations', { organizationId: orgA.id, email: 'runner@a.test' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => as(api, runner.token)('POST', '/v1/invitations/accept', { token: res.body.token })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expectCode(a, 404, 'INVITATION_INVALID');
    expect((await members(api, orgA.id)).filter((m) => m.user_id === runner.id)).toHaveLength(1);
  });
});
