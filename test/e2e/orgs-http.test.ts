import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, sqlClient, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * Organizations over REST and tRPC with real users: create (the creator becomes owner), get,
 * update, delete, list (own vs tenant-wide), slug rules, and the rows and events each change leaves.
 */
let api: TestApi;
let db: ReturnType<typeof sqlClient>;
const T = 'orgs-http';
const OTHER = 'orgs-http-other';
let alice: SignedInUser;
let bob: SignedInUser;
let mallory: SignedInUser;

const as = (user: SignedInUser | null, tenant?: string) => (method: string, path: string, body?: unknown) =>
  api.rest(method, path, { token: user ? user.token : undefined, tenant, body });

beforeAll(async () => {
  api = await startTestApi();
  db = sqlClient(api.config.DATABASE_URL);
  for (const slug of [T, OTHER]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } })).status).toBe(201);
  alice = await signedInUser(api, { email: 'alice@acme.test', tenant: T, displayName: 'Alice' });
  bob = await signedInUser(api, { email: 'bob@acme.test', tenant: T, displayName: 'Bob' });
  mallory = await signedInUser(api, { email: 'mallory@evil.test', tenant: OTHER });
});

describe('organizations', () => {
  it('a user creates an organization and becomes its owner; rows, audit and outbox events are written', async () => {
    const res = await as(alice)('POST', '/v1/orgs', { name: 'Acme Inc.', settings: { allowedEmailDomains: ['Acme.test'], memberLimit: 10 } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ slug: 'acme-inc', name: 'Acme Inc.', memberCount: 1, settings: { allowedEmailDomains: ['acme.test'], memberLimit: 10, defaultRole: 'member', requireMfa: false, metadata: {} } });
    const orgId = res.body.id;
    const member = await db.query('select role, via from organization_members where organization_id = $1 and user_id = $2', [orgId, alice.id]);
    expect(member.rows).toEqual([{ role: 'owner', via: 'created' }]);
    const link = await db.query(`select v0, v1, v2 from authz_rules where ptype = 'g' and v2 = $1`, [orgId]);
    expect(link.rows).toEqual([{ v0: `user:${alice.id}`, v1: 'role:owner', v2: orgId }]);
    const audit = await db.query('select action, actor_id, target_id from audit_events where organization_id = $1 order by id', [orgId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['organization.created', 'organization.member.added']);
    expect(audit.rows[0]).toMatchObject({ actor_id: alice.id, target_id: orgId });
    const outbox = await db.query(`select job_name from outbox where payload->>'organizationId' = $1 order by id`, [orgId]);
    expect(outbox.rows.map((r) => r.job_name)).toEqual(['organization.created', 'organization.member.added']);
    // The owner may read it, in its organization only.
    const got = await as(alice)('GET', `/v1/orgs/${orgId}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(orgId);
  });

  it('slugs are unique per tenant and validated; bad settings name the field', async () => {
    expect((await as(alice)('POST', '/v1/orgs', { name: 'Globex', slug: 'globex' })).status).toBe(201);
    const dup = await as(bob)('POST', '/v1/orgs', { name: 'Other Globex', slug: 'globex' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ORGANIZATION_SLUG_TAKEN');
    // Another tenant may use the same slug.
    expect((await as(mallory, OTHER)('POST', '/v1/orgs', { name: 'Globex', slug: 'globex' })).status).toBe(201);
    const bad = await as(alice)('POST', '/v1/orgs', { name: 'X', slug: '-Bad_' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('slug');
    const badSettings = await as(alice)('POST', '/v1/orgs', { name: 'Y', settings: { memberLimit: 0, allowedEmailDomains: ['not a domain'] } });
    expect(badSettings.status).toBe(400);
    expect(badSettings.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['settings.allowedEmailDomains.0', 'settings.memberLimit']);
    const badRole = await as(alice)('POST', '/v1/orgs', { name: 'Z', settings: { defaultRole: 'wizard' } });
    expect(badRole.status).toBe(404);
    expect(badRole.body.error.code).toBe('ROLE_NOT_FOUND');
    expect(badRole.body.error.fields[0].path).toBe('settings.defaultRole');
  });

  it('the owner updates name, slug and settings; a non-member gets 404, a viewer 403', async () => {
    const org = (await as(alice)('POST', '/v1/orgs', { name: 'Initech' })).body;
    const patched = await as(alice)('PATCH', `/v1/orgs/${org.id}`, { name: 'Initech 2', slug: 'initech-two', settings: { requireMfa: false, metadata: { plan: 'pro' } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Initech 2', slug: 'initech-two', settings: { metadata: { plan: 'pro' } } });
    const event = await db.query(`select data from audit_events where action = 'organization.updated' and organization_id = $1`, [org.id]);
    expect(event.rows[0].data.changes).toEqual(['name', 'slug', 'settings.metadata']);
    // Bob is not a member: the organization does not exist for him.
    for (const [method, body] of [['GET'], ['PATCH', { name: 'pwned' }], ['DELETE']] as const) {
      const res = await as(bob)(method, `/v1/orgs/${org.id}`, body);
      expect(res.status, `${method} ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.error.code).toBe('ORGANIZATION_NOT_FOUND');
    }
    // As a viewer he sees it but may not change it.
    expect((await as(alice)('POST', `/v1/orgs/${org.id}/members`, { userId: bob.id, role: 'viewer' })).status).toBe(201);
    expect((await as(bob)('GET', `/v1/orgs/${org.id}`)).status).toBe(200);
    const denied = await as(bob)('PATCH', `/v1/orgs/${org.id}`, { name: 'pwned' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    // A member limit below the current member count is refused.
    const tooLow = await as(alice)('PATCH', `/v1/orgs/${org.id}`, { settings: { memberLimit: 1 } });
    expect(tooLow.status).toBe(400);
    expect(tooLow.body.error.fields[0].path).toBe('settings.memberLimit');
  });

  it('lists: a user sees their own organizations with their role; the tenant admin (platform key) all, paginated', async () => {
    const mine = await as(bob)('GET', '/v1/orgs?limit=100');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((o: { name: string; role: string }) => [o.name, o.role])).toEqual([['Initech 2', 'viewer']]);
    const all = await api.rest('GET', '/v1/orgs?limit=2', { tenant: T });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.nextCursor).toBeTruthy();
    const rest = await api.rest('GET', `/v1/orgs?limit=100&cursor=${all.body.nextCursor}`, { tenant: T });
    const names = [...all.body.items, ...rest.body.items].map((o: { name: string }) => o.name);
    expect(names).toEqual(['Initech 2', 'Globex', 'Acme Inc.']);
    expect((await api.rest('GET', '/v1/orgs?search=glob', { tenant: T })).body.items.map((o: { slug: string }) => o.slug)).toEqual(['globex']);
    // Another tenant's organizations never show up.
    expect((await api.rest('GET', '/v1/orgs?limit=100', { tenant: OTHER })).body.items.map((o: { slug: string }) => o.slug)).toEqual(['globex']);
  });

  it("another tenant's organization is a 404, even for a user who owns one with the same slug", async () => {
    const acme = (await api.rest('GET', '/v1/orgs?search=acme', { tenant: T })).body.items[0];
    for (const path of [`/v1/orgs/${acme.id}`, `/v1/orgs/${acme.id}/members`, `/v1/orgs/${acme.id}/teams`]) {
      const res = await as(mallory, OTHER)('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('ORGANIZATION_NOT_FOUND');
    }
    const leave = await as(mallory, OTHER)('POST', `/v1/orgs/${acme.id}/leave`);
    expect(leave.status).toBe(404);
    // The platform key naming the other tenant does not find it either.
    expect((await api.rest('GET', `/v1/orgs/${acme.id}`, { tenant: OTHER })).status).toBe(404);
  });

  it('tRPC: create, get, update, list and delete', async () => {
    const trpc = api.trpc({ token: bob.token });
    const org = await trpc.orgs.create.mutate({ name: 'Via tRPC', settings: { memberLimit: 5 } });
    expect(org).toMatchObject({ slug: 'via-trpc', memberCount: 1 });
    expect((await trpc.orgs.get.query({ orgId: org.id })).settings.memberLimit).toBe(5);
    expect((await trpc.orgs.update.mutate({ orgId: org.id, name: 'Via tRPC 2' })).name).toBe('Via tRPC 2');
    expect((await trpc.orgs.list.query({})).items.map((o) => o.id)).toContain(org.id);
    await expect(api.trpc({ token: alice.token }).orgs.get.query({ orgId: org.id })).rejects.toMatchObject({ data: { code: 'ORGANIZATION_NOT_FOUND', httpStatus: 404 } });
    expect(await trpc.orgs.delete.mutate({ orgId: org.id })).toEqual({ id: org.id, deleted: true });
    expect((await db.query('select count(*)::int as n from organizations where id = $1', [org.id])).rows[0].n).toBe(0);
  });

  it('delete: only an owner (organizations:delete); rows, links and the event go with it', async () => {
    const org = (await as(alice)('POST', '/v1/orgs', { name: 'Doomed' })).body;
    expect((await as(alice)('POST', `/v1/orgs/${org.id}/members`, { userId: bob.id, role: 'admin' })).status).toBe(201);
    const team = await as(alice)('POST', `/v1/orgs/${org.id}/teams`, { name: 'Core', roles: ['member'] });
    expect(team.status).toBe(201);
    const denied = await as(bob)('DELETE', `/v1/orgs/${org.id}`);
    expect(denied.status).toBe(403);
    const res = await as(alice)('DELETE', `/v1/orgs/${org.id}`);
    expect(res.status).toBe(200);
    for (const table of ['organizations where id', 'organization_members where organization_id', 'teams where organization_id']) {
      expect((await db.query(`select count(*)::int as n from ${table} = $1`, [org.id])).rows[0].n, table).toBe(0);
    }
    expect((await db.query(`select count(*)::int as n from authz_rules where v2 = $1`, [org.id])).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from audit_events where action = 'organization.deleted' and target_id = $1`, [org.id])).rows[0].n).toBe(1);
    expect((await as(alice)('GET', `/v1/orgs/${org.id}`)).status).toBe(404);
  });

  it('creating for someone else, or with an API credential, needs organizations:create tenant-wide', async () => {
    const forBob = await as(alice)('POST', '/v1/orgs', { name: 'For Bob', ownerId: bob.id });
    expect(forBob.status).toBe(403);
    const byPlatform = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Platform made', ownerId: bob.id } });
    expect(byPlatform.status, JSON.stringify(byPlatform.body)).toBe(201);
    expect((await as(bob)('GET', `/v1/orgs/${byPlatform.body.id}/members`)).body.items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([[bob.id, 'owner']]);
    const unknownOwner = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Nobody', ownerId: mallory.id } });
    expect(unknownOwner.status).toBe(404);
    expect(unknownOwner.body.error.code).toBe('USER_NOT_FOUND');
  });
});
