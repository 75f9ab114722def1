import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, sqlClient, startTestApi, type SignedInUser, type TestApi } from '../src';
import { callerAs, userPrincipal } from '../src/authz';

/**
 * Members over REST and tRPC with real users: add, list (cursor, search), change role, remove,
 * leave; the last-owner rules; member limit and allowed domains; roles decided by the authz engine
 * in the organization's domain only; and the refusals across organizations and tenants.
 */
let api: TestApi;
let db: ReturnType<typeof sqlClient>;
const T = 'orgs-members';
const OTHER = 'orgs-members-other';
const u: Record<string, SignedInUser> = {};
let orgA: string;
let orgB: string;

const as = (name: string | null, tenant = T) => (method: string, path: string, body?: unknown) =>
  api.rest(method, path, { token: name ? u[name]!.token : undefined, tenant, body });

const decide = async (userId: string, action: string, organizationId?: string) => {
  const res = await api.rest('POST', '/v1/policies/evaluate', {
    tenant: T,
    body: { subject: `user:${userId}`, action, resource: organizationId ? `organization:${organizationId}` : '*', context: organizationId ? { organizationId } : {} },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.result.allow as boolean;
};

const linksOf = async (userId: string, organizationId: string) =>
  (await db.query(`select v1 from authz_rules where ptype = 'g' and v0 = $1 and v2 = $2 order by v1`, [`user:${userId}`, organizationId])).rows.map((r) => r.v1);

beforeAll(async () => {
  api = await startTestApi();
  db = sqlClient(api.config.DATABASE_URL);
  for (const slug of [T, OTHER]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  for (const name of ['owner', 'admin', 'member', 'viewer', 'outsider', 'tadmin']) u[name] = await signedInUser(api, { email: `${name}@acme.test`, tenant: T, displayName: `${name[0]!.toUpperCase()}${name.slice(1)} Person` });
  u.stranger = await signedInUser(api, { email: 'stranger@elsewhere.test', tenant: T });
  u.foreign = await signedInUser(api, { email: 'foreign@acme.test', tenant: OTHER });
  orgA = (await as('owner')('POST', '/v1/orgs', { name: 'A', settings: { allowedEmailDomains: ['acme.test'] } })).body.id;
  orgB = (await as('outsider')('POST', '/v1/orgs', { name: 'B' })).body.id;
});

describe('members', () => {
  it('the owner adds existing users with a role (default: the organization default role); rows, links and events follow', async () => {
    const admin = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.admin!.id, role: 'admin' });
    expect(admin.status, JSON.stringify(admin.body)).toBe(201);
    expect(admin.body).toMatchObject({ organizationId: orgA, userId: u.admin!.id, email: 'admin@acme.test', displayName: 'Admin Person', role: 'admin', via: 'added' });
    const member = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.member!.id });
    expect(member.body.role).toBe('member');
    expect(await linksOf(u.admin!.id, orgA)).toEqual(['role:admin']);
    const events = await db.query(`select actor_id, data from audit_events where action = 'organization.member.added' and organization_id = $1 and target_id = $2`, [orgA, u.admin!.id]);
    expect(events.rows).toEqual([{ actor_id: u.owner!.id, data: expect.objectContaining({ role: 'admin', via: 'added', teamIds: [] }) }]);
    const outbox = await db.query(`select count(*)::int as n from outbox where job_name = 'organization.member.added' and payload->'target'->>'id' = $1`, [u.admin!.id]);
    expect(outbox.rows[0].n).toBe(1);
  });

  it('refuses: an existing member, a user of another tenant, an unknown role, an email domain the organization does not allow', async () => {
    const again = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.admin!.id, role: 'viewer' });
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_MEMBER']);
    const foreign = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.foreign!.id });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const role = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.viewer!.id, role: 'wizard' });
    expect([role.status, role.body.error.code, role.body.error.fields[0].path]).toEqual([404, 'ROLE_NOT_FOUND', 'role']);
    const domain = await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.stranger!.id });
    expect([domain.status, domain.body.error.code]).toEqual([422, 'EMAIL_DOMAIN_NOT_ALLOWED']);
    expect((await as('owner')('POST', `/v1/orgs/${orgA}/members`, { userId: u.viewer!.id, role: 'viewer' })).status).toBe(201);
  });

  it('lists members with cursor pagination, search on email and name, and a role filter', async () => {
    const first = await as('member')('GET', `/v1/orgs/${orgA}/members?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await as('member')('GET', `/v1/orgs/${orgA}/members?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((m: { email: string }) => m.email);
    expect(all).toEqual(['viewer@acme.test', 'member@acme.test', 'admin@acme.test', 'owner@acme.test']);
    expect((await as('member')('GET', `/v1/orgs/${orgA}/members?search=ADMIN@`)).body.items.map((m: { role: string }) => m.role)).toEqual(['admin']);
    expect((await as('member')('GET', `/v1/orgs/${orgA}/members?search=owner%20pers`)).body.items.map((m: { role: string }) => m.role)).toEqual(['owner']);
    expect((await as('member')('GET', `/v1/orgs/${orgA}/members?role=viewer`)).body.items.map((m: { userId: string }) => m.userId)).toEqual([u.viewer!.id]);
    const badCursor = await as('member')('GET', `/v1/orgs/${orgA}/members?cursor=nope`);
    expect([badCursor.status, badCursor.body.error.fields[0].path]).toEqual([400, 'cursor']);
  });

  it('organization roles are decided by the engine in that organization only', async () => {
    expect(await decide(u.admin!.id, 'members:write', orgA)).toBe(true);
    expect(await decide(u.admin!.id, 'members:write', orgB)).toBe(false);
    expect(await decide(u.admin!.id, 'members:write')).toBe(false);
    expect(await decide(u.member!.id, 'members:read', orgA)).toBe(true);
    expect(await decide(u.member!.id, 'members:write', orgA)).toBe(false);
    // The admin manages A's members; a member may not.
    expect((await as('admin')('PATCH', `/v1/orgs/${orgA}/members/${u.viewer!.id}`, { role: 'member' })).status).toBe(200);
    const denied = await as('member')('POST', `/v1/orgs/${orgA}/members`, { userId: u.tadmin!.id });
    expect([denied.status, denied.body.error.code, denied.body.error.details.permission]).toEqual([403, 'FORBIDDEN', 'members:write']);
    // Tenant-wide API for users stays closed to an organization admin.
    expect((await as('admin')('GET', '/v1/users')).status).toBe(403);
  });

  it("another organization's admin gets 404 (or 403 once they can see it) and changes nothing", async () => {
    const victim = u.owner!.id;
    for (const [method, path, body] of [
      ['GET', `/v1/orgs/${orgB}/members`],
      ['POST', `/v1/orgs/${orgB}/members`, { userId: u.member!.id }],
      ['PATCH', `/v1/orgs/${orgB}/members/${u.outsider!.id}`, { role: 'viewer' }],
      ['DELETE', `/v1/orgs/${orgB}/members/${u.outsider!.id}`],
      ['POST', `/v1/orgs/${orgB}/teams`, { name: 'x' }],
    ] as const) {
      const res = await as('admin')(method, path, body);
      expect([res.status, res.body.error.code], `${method} ${path}`).toEqual([404, 'ORGANIZATION_NOT_FOUND']);
    }
    // The owner of B cannot reach into A through B.
    const cross = await as('outsider')('DELETE', `/v1/orgs/${orgA}/members/${victim}`);
    expect(cross.status).toBe(404);
    expect((await as('outsider')('POST', `/v1/orgs/${orgB}/members`, { userId: u.admin!.id, role: 'viewer' })).status).toBe(201);
    const seen = await as('admin')('POST', `/v1/orgs/${orgB}/members`, { userId: u.member!.id });
    expect([seen.status, seen.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await db.query('select count(*)::int as n from organization_members where organization_id = $1', [orgB])).rows[0].n).toBe(2);
  });

  it('nobody grants what they do not hold: an admin cannot make an owner, demote or remove one', async () => {
    const promote = await as('admin')('PATCH', `/v1/orgs/${orgA}/members/${u.member!.id}`, { role: 'owner' });
    expect([promote.status, promote.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    const demote = await as('admin')('PATCH', `/v1/orgs/${orgA}/members/${u.owner!.id}`, { role: 'viewer' });
    expect([demote.status, demote.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    const remove = await as('admin')('DELETE', `/v1/orgs/${orgA}/members/${u.owner!.id}`);
    expect([remove.status, remove.body.error.code]).toEqual([403, 'PERMISSION_NOT_HELD']);
    expect((await db.query('select role from organization_members where organization_id = $1 and user_id = $2', [orgA, u.owner!.id])).rows[0].role).toBe('owner');
  });

  it('the last owner can neither leave, nor be demoted, nor be removed', async () => {
    const leave = await as('owner')('POST', `/v1/orgs/${orgA}/leave`);
    expect([leave.status, leave.body.error.code]).toEqual([409, 'LAST_OWNER']);
    const demote = await as('owner')('PATCH', `/v1/orgs/${orgA}/members/${u.owner!.id}`, { role: 'admin' });
    expect([demote.status, demote.body.error.code]).toEqual([409, 'LAST_OWNER']);
    // Not even by the platform operator.
    const remove = await api.rest('DELETE', `/v1/orgs/${orgA}/members/${u.owner!.id}`, { tenant: T });
    expect([remove.status, remove.body.error.code]).toEqual([409, 'LAST_OWNER']);
    // With a second owner, the first may leave; then the second is the last.
    const promoted = await as('owner')('PATCH', `/v1/orgs/${orgA}/members/${u.admin!.id}`, { role: 'owner' });
    expect(promoted.status).toBe(200);
    const changed = await db.query(`select data from audit_events where action = 'organization.member.role_changed' and target_id = $1`, [u.admin!.id]);
    expect(changed.rows[0].data).toMatchObject({ role: 'owner', previousRole: 'admin' });
    expect(await linksOf(u.admin!.id, orgA)).toEqual(['role:owner']);
    const left = await as('owner')('POST', `/v1/orgs/${orgA}/leave`);
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    expect(left.body.role).toBe('owner');
    expect(await linksOf(u.owner!.id, orgA)).toEqual([]);
    expect((await db.query(`select count(*)::int as n from audit_events where action = 'organization.member.left' and actor_id = $1`, [u.owner!.id])).rows[0].n).toBe(1);
    // Access ends with the membership, at once.
    expect((await as('owner')('GET', `/v1/orgs/${orgA}`)).status).toBe(404);
    const lastLeave = await as('admin')('POST', `/v1/orgs/${orgA}/leave`);
    expect([lastLeave.status, lastLeave.body.error.code]).toEqual([409, 'LAST_OWNER']);
    // Leaving an organization one is not in is a 404.
    expect((await as('owner')('POST', `/v1/orgs/${orgA}/leave`)).status).toBe(404);
  });

  it('removing a member ends their access and team memberships', async () => {
    const team = (await as('admin')('POST', `/v1/orgs/${orgA}/teams`, { name: 'Ops', roles: ['member'] })).body;
    expect((await as('admin')('POST', `/v1/orgs/${orgA}/teams/${team.id}/members`, { userId: u.viewer!.id })).status).toBe(201);
    expect((await linksOf(u.viewer!.id, orgA)).sort()).toEqual(['role:member', `team:${team.id}`]);
    const removed = await as('admin')('DELETE', `/v1/orgs/${orgA}/members/${u.viewer!.id}`);
    expect(removed.status).toBe(200);
    expect(await linksOf(u.viewer!.id, orgA)).toEqual([]);
    expect((await db.query('select count(*)::int as n from team_members where user_id = $1', [u.viewer!.id])).rows[0].n).toBe(0);
    expect((await as('viewer')('GET', `/v1/orgs/${orgA}`)).status).toBe(404);
    const event = await db.query(`select data from audit_events where action = 'organization.member.removed' and target_id = $1`, [u.viewer!.id]);
    expect(event.rows[0].data).toMatchObject({ role: 'member', teamIds: [team.id] });
    const gone = await as('admin')('DELETE', `/v1/orgs/${orgA}/members/${u.viewer!.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'MEMBER_NOT_FOUND']);
  });

  it('enforces the member limit', async () => {
    const org = (await as('member')('POST', '/v1/orgs', { name: 'Small', settings: { memberLimit: 2 } })).body;
    expect((await as('member')('POST', `/v1/orgs/${org.id}/members`, { userId: u.viewer!.id })).status).toBe(201);
    const third = await as('member')('POST', `/v1/orgs/${org.id}/members`, { userId: u.tadmin!.id });
    expect([third.status, third.body.error.code, third.body.error.details.memberLimit]).toEqual([409, 'MEMBER_LIMIT_REACHED', 2]);
    // Concurrent adds past the limit: exactly one more fits after raising it by one.
    expect((await as('member')('PATCH', `/v1/orgs/${org.id}`, { settings: { memberLimit: 3 } })).status).toBe(200);
    const racing = await Promise.all(['stranger', 'outsider', 'owner'].map((name) => as('member')('POST', `/v1/orgs/${org.id}/members`, { userId: u[name]!.id })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await db.query('select count(*)::int as n from organization_members where organization_id = $1', [org.id])).rows[0].n).toBe(3);
  });

  it('a tenant admin (tenant-wide role) manages every organization and lists them all', async () => {
    const roles = await api.rest('GET', '/v1/policies/roles?limit=100', { tenant: T });
    const admin = roles.body.items.find((r: { name: string; organizationId: string | null }) => r.name === 'admin' && r.organizationId === null);
    expect((await api.rest('POST', `/v1/policies/roles/${admin.id}/assign`, { tenant: T, body: { userId: u.tadmin!.id } })).status).toBe(201);
    const all = await as('tadmin')('GET', '/v1/orgs?limit=100');
    expect(all.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([orgA, orgB]));
    // Asked for their own only, they get the organizations they belong to: none.
    expect((await as('tadmin')('GET', '/v1/orgs?mine=true')).body.items).toEqual([]);
    expect((await as('tadmin')('POST', `/v1/orgs/${orgB}/members`, { userId: u.viewer!.id, role: 'viewer' })).status).toBe(201);
  });

  it('requireMfa: members act in the organization only after a second factor', async () => {
    const org = (await as('member')('POST', '/v1/orgs', { name: 'Strict' })).body;
    expect((await as('member')('PATCH', `/v1/orgs/${org.id}`, { settings: { requireMfa: true } })).status).toBe(200);
    const blocked = await as('member')('GET', `/v1/orgs/${org.id}`);
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'ORGANIZATION_MFA_REQUIRED']);
    const withOtp = await callerAs(api, userPrincipal(u.member!.id, await tenantId(), { amr: ['pwd', 'otp'] })).call();
    expect((await withOtp.orgs.get({ orgId: org.id })).settings.requireMfa).toBe(true);
    // Leaving needs no second factor; the platform operator is not a member and is not held to it.
    expect((await api.rest('PATCH', `/v1/orgs/${org.id}`, { tenant: T, body: { settings: { requireMfa: false } } })).status).toBe(200);
    expect((await as('member')('GET', `/v1/orgs/${org.id}`)).status).toBe(200);
  });

  it('tRPC: addMember, listMembers, updateMember, removeMember and leave', async () => {
    const trpc = api.trpc({ token: u.member!.token, tenant: T });
    const org = await trpc.orgs.create.mutate({ name: 'RPC members' });
    const added = await trpc.orgs.addMember.mutate({ orgId: org.id, userId: u.viewer!.id, role: 'admin' });
    expect(added.role).toBe('admin');
    expect((await trpc.orgs.listMembers.query({ orgId: org.id, search: 'viewer' })).items.map((m) => m.userId)).toEqual([u.viewer!.id]);
    expect((await trpc.orgs.updateMember.mutate({ orgId: org.id, userId: u.viewer!.id, role: 'viewer' })).role).toBe('viewer');
    await expect(trpc.orgs.leave.mutate({ orgId: org.id })).rejects.toMatchObject({ data: { code: 'LAST_OWNER', httpStatus: 409 } });
    expect((await trpc.orgs.removeMember.mutate({ orgId: org.id, userId: u.viewer!.id })).userId).toBe(u.viewer!.id);
    await trpc.orgs.addMember.mutate({ orgId: org.id, userId: u.viewer!.id });
    expect((await api.trpc({ token: u.viewer!.token, tenant: T }).orgs.leave.mutate({ orgId: org.id })).userId).toBe(u.viewer!.id);
  });
});

async function tenantId(): Promise<string> {
  return (await db.query('select id from tenants where slug = $1', [T])).rows[0].id;
}
