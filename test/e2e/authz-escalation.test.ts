import { beforeAll, describe, expect, it } from 'vitest';
import { sqlClient, startTestApi, type TestApi } from '../src';
import { callerAs, userPrincipal } from '../src/authz';

/**
 * Users decided by roles and policies through the real protected-procedure middleware (principals
 * made directly, as sign-in is built elsewhere): self-escalation is refused, and nobody hands out
 * a permission they do not hold.
 */
let api: TestApi;
let tenantId: string;
const T = 'authz-esc';
const roleIds: Record<string, string> = {};

const rest = (method: string, path: string, body?: unknown) => api.rest(method, path, { body, tenant: T });
const as = (userId: string, attributes: Record<string, unknown> = {}) => callerAs(api, userPrincipal(userId, tenantId, attributes)).call();

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e as { code: string; appCode?: string; status?: number; fields?: { path: string }[] },
  );
  return error;
}

beforeAll(async () => {
  api = await startTestApi();
  const tenant = await rest('POST', '/v1/tenants', { slug: T, name: 'Escalation' });
  tenantId = tenant.body.id;
  const manager = await rest('POST', '/v1/policies/roles', { name: 'role-manager', permissions: ['roles:read', 'roles:write', 'roles:assign', 'invoices:read'] });
  expect(manager.status).toBe(201);
  const roles = await rest('GET', '/v1/policies/roles?limit=100');
  for (const role of roles.body.items) roleIds[role.name] = role.id;
  await rest('POST', `/v1/policies/roles/${roleIds['role-manager']}/assign`, { userId: 'mallory' });
  await rest('POST', `/v1/policies/roles/${roleIds.admin}/assign`, { userId: 'adam' });
});

describe('users are decided by the engine on every protected procedure', () => {
  it('a user with no role is refused (403 FORBIDDEN); a member may list roles but not policies', async () => {
    const nobody = await as('nobody');
    const refused = await failure(nobody.policies.roles.list({ limit: 10 }));
    expect(refused).toMatchObject({ appCode: 'FORBIDDEN', status: 403 });
    await rest('POST', `/v1/policies/roles/${roleIds.member}/assign`, { userId: 'mia' });
    const mia = await as('mia');
    expect((await mia.policies.roles.list({ limit: 100 })).items.length).toBeGreaterThanOrEqual(5);
    expect(await failure(mia.policies.list({ limit: 10 }))).toMatchObject({ appCode: 'FORBIDDEN' });
  });

  it('a credential of another tenant is refused', async () => {
    const other = await rest('POST', '/v1/tenants', { slug: 'authz-esc-other', name: 'Other' });
    const foreign = await callerAs(api, userPrincipal('adam', other.body.id), { tenant: T }).call();
    // The context resolves the credential's own tenant, where adam holds nothing.
    expect(await failure(foreign.policies.roles.list({ limit: 10 }))).toMatchObject({ appCode: 'FORBIDDEN' });
  });
});

describe('nobody can grant a permission they do not hold', () => {
  it('refuses assigning yourself a stronger role (403 PERMISSION_NOT_HELD), and records nothing', async () => {
    const mallory = await as('mallory');
    const before = await sqlClient(api.config.DATABASE_URL).query(`select count(*)::int as n from authz_role_assignments where subject = 'user:mallory'`);
    const error = await failure(mallory.policies.roles.assign({ id: roleIds.admin!, userId: 'mallory' }));
    expect(error).toMatchObject({ appCode: 'PERMISSION_NOT_HELD', status: 403 });
    expect(await failure(mallory.policies.roles.assign({ id: roleIds.owner!, userId: 'mallory' }))).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    const after = await sqlClient(api.config.DATABASE_URL).query(`select count(*)::int as n from authz_role_assignments where subject = 'user:mallory'`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    // Still cannot write policies.
    const write = await failure(mallory.policies.create({ name: 'x', effect: 'allow', priority: 0, subjects: ['user:mallory'], actions: ['policies:write'], resources: ['*'] }));
    expect(write).toMatchObject({ appCode: 'FORBIDDEN' });
  });

  it('refuses a role carrying a permission the creator lacks, directly or through a parent', async () => {
    const mallory = await as('mallory');
    const direct = await failure(mallory.policies.roles.create({ name: 'sneaky', permissions: ['policies:write'], parents: [] }));
    expect(direct).toMatchObject({ appCode: 'PERMISSION_NOT_HELD', fields: [{ path: 'permissions' }] });
    const inherited = await failure(mallory.policies.roles.create({ name: 'sneakier', permissions: [], parents: ['admin'] }));
    expect(inherited).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    const wildcard = await failure(mallory.policies.roles.create({ name: 'wild', permissions: ['invoices:*'], parents: [] }));
    expect(wildcard).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    // What mallory does hold, mallory may hand out.
    const fine = await mallory.policies.roles.create({ name: 'invoice-reader', permissions: ['invoices:read'], parents: [] });
    expect(fine).toMatchObject({ name: 'invoice-reader', permissions: ['invoices:read'] });
    await mallory.policies.roles.assign({ id: fine.id, userId: 'ivan' });
  });

  it('an admin cannot make itself owner, nor write policies granting what it lacks, nor lift a deny on itself', async () => {
    const adam = await as('adam');
    expect(await failure(adam.policies.roles.assign({ id: roleIds.owner!, userId: 'adam' }))).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    const grant = await failure(adam.policies.create({ name: 'all', effect: 'allow', priority: 0, subjects: ['user:adam'], actions: ['*'], resources: ['*'] }));
    expect(grant).toMatchObject({ appCode: 'PERMISSION_NOT_HELD', fields: [{ path: 'actions' }] });
    const configure = await failure(adam.policies.settings.update({ decisionLogSampleRate: 1 }));
    expect(configure).toMatchObject({ appCode: 'FORBIDDEN' });
    // Granting what it holds is fine.
    const ok = await adam.policies.create({ name: 'helpers read users', effect: 'allow', priority: 0, subjects: ['user:helper'], actions: ['users:read'], resources: ['*'] });
    expect(ok.effect).toBe('allow');
    // The operator denies adam something; adam cannot delete or weaken that deny.
    const deny = await rest('POST', '/v1/policies', { name: 'no user writes for adam', effect: 'deny', priority: 50, subjects: ['user:adam'], actions: ['users:write'], resources: ['*'] });
    expect(await failure(adam.policies.delete({ id: deny.body.id }))).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    expect(await failure(adam.policies.update({ id: deny.body.id, priority: -50 }))).toMatchObject({ appCode: 'PERMISSION_NOT_HELD' });
    expect((await rest('GET', `/v1/policies/${deny.body.id}`)).body.priority).toBe(50);
  });

  it('an MFA-conditioned grant holds only for an MFA session (the principal amr)', async () => {
    await rest('POST', '/v1/policies', { name: 'audit needs mfa', effect: 'allow', priority: 0, subjects: ['user:auditor'], actions: ['policies:read'], resources: ['*'], conditions: { mfa: true } });
    const withoutMfa = await as('auditor', { amr: ['pwd'] });
    expect(await failure(withoutMfa.policies.list({ limit: 5 }))).toMatchObject({ appCode: 'FORBIDDEN' });
    const withMfa = await as('auditor', { amr: ['pwd', 'otp'] });
    expect((await withMfa.policies.list({ limit: 5 })).items.length).toBeGreaterThan(0);
  });
});
