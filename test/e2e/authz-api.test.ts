import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { engineOf, ensureTenantSeeded, permissionsFromRouter } from '@plinto/authz';
import { appRouter } from '@plinto/api';
import { sqlClient, startTestApi, type TestApi } from '../src';

let api: TestApi;
let sql: ReturnType<typeof sqlClient>;
const T = 'authz-api';

beforeAll(async () => {
  api = await startTestApi();
  sql = sqlClient(api.config.DATABASE_URL);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Authz API' } })).status).toBe(201);
});

const rest = (method: string, path: string, body?: unknown) => api.rest(method, path, { body, tenant: T });
const evaluate = async (subject: string, action: string, resource: string, context: Record<string, unknown> = {}, explain = false) => {
  const res = await rest('POST', '/v1/policies/evaluate', { subject, action, resource, context, explain });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { result: { allow: boolean; policyId: string | null; roleId: string | null; reason: string }; policyVersion: number; explanation?: { rules: unknown[]; roles: string[] } };
};

async function createRole(name: string, permissions: string[], parents: string[] = []) {
  const res = await rest('POST', '/v1/policies/roles', { name, permissions, parents });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

describe('default roles and the permission catalog', () => {
  it('seeds owner, admin, member and viewer in every tenant, inheriting each other', async () => {
    const res = await rest('GET', '/v1/policies/roles?limit=100');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.items.map((r: { name: string }) => [r.name, r]));
    for (const name of ['owner', 'admin', 'member', 'viewer']) expect(byName[name]).toMatchObject({ builtin: true, organizationId: null });
    expect(byName.owner.parents).toEqual(['admin']);
    expect(byName.admin.parents).toEqual(['member']);
    expect(byName.member.parents).toEqual(['viewer']);
    const seeded = await sql.query(`select count(*)::int as n from audit_events where action = 'authz.default_roles_seeded' and tenant_id = (select id from tenants where slug = $1)`, [T]);
    expect(seeded.rows[0].n).toBe(1);
  });

  it('seeds a new tenant exactly once, however many processes race to do it', async () => {
    const tenant = await api.rest('POST', '/v1/tenants', { body: { slug: 'authz-race', name: 'Race' } });
    const orm = api.server.orm;
    const catalog = engineOf(api.server).catalog;
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => ensureTenantSeeded(orm.em.fork(), tenant.body.id, catalog)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const roles = await sql.query('select name from authz_roles where tenant_id = $1 order by name', [tenant.body.id]);
    expect(roles.rows.map((r) => r.name)).toEqual(['admin', 'member', 'owner', 'viewer']);
    const seeded = await sql.query(`select count(*)::int as n from audit_events where action = 'authz.default_roles_seeded' and tenant_id = $1`, [tenant.body.id]);
    expect(seeded.rows[0].n).toBe(1);
  });

  it('covers every protected procedure of the router, and owner holds the whole catalog', async () => {
    const res = await rest('GET', '/v1/policies/permissions');
    expect(res.status).toBe(200);
    const catalog = res.body.items.map((p: { permission: string }) => p.permission);
    const declared = permissionsFromRouter(appRouter);
    expect(declared).toEqual(expect.arrayContaining(['policies:write', 'policies:evaluate', 'roles:assign']));
    for (const permission of declared) expect(catalog).toContain(permission);
    for (const permission of catalog) {
      const { result } = await evaluate('user:the-owner', permission, `tenant:x`);
      expect(result.allow).toBe(false); // nobody holds anything before an assignment
    }
    const roles = await rest('GET', '/v1/policies/roles?limit=100');
    const owner = roles.body.items.find((r: { name: string }) => r.name === 'owner');
    expect((await rest('POST', `/v1/policies/roles/${owner.id}/assign`, { userId: 'the-owner' })).status).toBe(201);
    for (const permission of catalog) expect((await evaluate('user:the-owner', permission, 'tenant:x')).result.allow, permission).toBe(true);
    // Unknown actions are not in the catalog, so not even the owner holds them.
    expect((await evaluate('user:the-owner', 'nonexistent:action', 'tenant:x')).result.allow).toBe(false);
  });
});

describe('policies: CRUD, versions and audit', () => {
  it('creates (201), reads, lists, patches and deletes a policy; every change bumps the version and is audited', async () => {
    const created = await rest('POST', '/v1/policies', {
      name: 'readers',
      effect: 'allow',
      priority: 5,
      subjects: ['user:alice'],
      actions: ['invoices:read'],
      resources: ['invoice:*'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'readers', effect: 'allow', priority: 5, revision: 1, organizationId: null, conditions: null });
    const id = created.body.id;
    const v1 = created.body.policyVersion;

    const got = await rest('GET', `/v1/policies/${id}`);
    expect(got.body).toEqual(created.body);
    const viaTrpc = await api.trpc({ token: api.platformKey, tenant: T }).policies.get.query({ id });
    expect(viaTrpc).toEqual(got.body);

    const listed = await rest('GET', '/v1/policies?subject=user:alice');
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([id]);

    const patched = await rest('PATCH', `/v1/policies/${id}`, { actions: ['invoices:read', 'invoices:list'] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ revision: 2, actions: ['invoices:read', 'invoices:list'] });
    expect(patched.body.policyVersion).toBeGreaterThan(v1);
    expect((await evaluate('user:alice', 'invoices:list', 'invoice:9')).result).toMatchObject({ allow: true, policyId: id });
    // An unknown resource or action is denied by default.
    expect((await evaluate('user:alice', 'invoices:list', 'receipt:9')).result).toMatchObject({ allow: false, policyId: null, reason: expect.stringContaining('denied by default') });
    expect((await evaluate('user:alice', 'invoices:burn', 'invoice:9')).result.allow).toBe(false);

    const deleted = await rest('DELETE', `/v1/policies/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id, deleted: true });
    expect((await rest('GET', `/v1/policies/${id}`)).body.error.code).toBe('POLICY_NOT_FOUND');
    expect((await evaluate('user:alice', 'invoices:list', 'invoice:9')).result.allow).toBe(false);

    const audit = await sql.query(`select action from audit_events where target_id = $1 order by id`, [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['policy.created', 'policy.updated', 'policy.deleted']);
    const lines = await sql.query(`select count(*)::int as n from authz_rules where v6 = $1`, [`policy:${id}`]);
    expect(lines.rows[0].n).toBe(0);
  });

  it('stores policies as Casbin lines (subjects × actions × resources)', async () => {
    const created = await rest('POST', '/v1/policies', { name: 'grid', effect: 'deny', priority: 1, subjects: ['user:a', 'user:b'], actions: ['x:read', 'x:write', 'x:list'], resources: ['x:1', 'x:2'] });
    const lines = await sql.query(`select ptype, v0, v1, v2, v3, v4 from authz_rules where v6 = $1 order by id`, [`policy:${created.body.id}`]);
    expect(lines.rowCount).toBe(12);
    expect(lines.rows[0]).toMatchObject({ ptype: 'p', v0: 'user:a', v1: '*', v2: 'x:1', v3: 'x:read', v4: 'deny' });
  });

  it('refuses bad rules with 400 VALIDATION_FAILED naming the field, on REST and tRPC', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ actions: ['inv*oices:read'] }, 'actions.0'],
      [{ subjects: ['group:x'] }, 'subjects.0'],
      [{ resources: [''] }, 'resources.0'],
      [{ effect: 'maybe' }, 'effect'],
      [{ priority: 1.5 }, 'priority'],
      [{ conditions: { ipRanges: ['10.0.0.0/33'] } }, 'conditions.ipRanges.0'],
      [{ conditions: { timeWindow: { hours: { start: '09:00', end: '25:00' } } } }, 'conditions.timeWindow.hours.end'],
      [{ conditions: { timeWindow: { days: ['mon'], timeZone: 'Mars/Olympus' } } }, 'conditions.timeWindow.timeZone'],
      [{ conditions: { attributes: [{ attribute: 'resource.__proto__x', operator: 'equals' }] } }, 'conditions.attributes.0.value'],
      [{ conditions: { attributes: [{ attribute: 'process.env', operator: 'equals', value: 1 }] } }, 'conditions.attributes.0.attribute'],
      [{ conditions: { sql: 'drop table' } }, 'conditions'],
      [{ organizationId: 'not-a-uuid' }, 'organizationId'],
    ];
    const base = { name: 'bad', effect: 'allow', subjects: ['*'], actions: ['a:b'], resources: ['*'] };
    for (const [patch, path] of cases) {
      const res = await rest('POST', '/v1/policies', { ...base, ...patch });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.fields.map((f: { path: string }) => f.path), JSON.stringify(res.body.error.fields)).toContain(path);
    }
    const error = await api
      .trpc({ token: api.platformKey, tenant: T })
      .policies.create.mutate({ ...base, actions: ['bad*pattern'] } as never)
      .catch((e: unknown) => e as TRPCClientError<any>);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<any>).data).toMatchObject({ code: 'VALIDATION_FAILED', httpStatus: 400, fields: [{ path: 'actions.0' }] });
    const control = await rest('POST', '/v1/policies/evaluate', { subject: 'user:a\u0000b', action: 'a:b', resource: 'x' });
    expect(control.status).toBe(400);
    expect(control.body.error.fields[0].path).toBe('subject');
    const roleRes = await rest('POST', '/v1/policies/roles', { name: 'Bad Name', permissions: ['ok:read'] });
    expect(roleRes.body.error.fields[0].path).toBe('name');
    const parentRes = await rest('POST', '/v1/policies/roles', { name: 'orphan', parents: ['no-such-role'] });
    expect(parentRes.status).toBe(400);
    expect(parentRes.body.error.fields[0].path).toBe('parents.0');
  });
});

describe('decisions', () => {
  it('roles, inheritance, deny, priorities, default deny and unknown action/resource', async () => {
    const base = await createRole('billing-reader', ['billing:read']);
    await createRole('billing-admin', ['billing:write'], ['billing-reader']);
    const roles = await rest('GET', '/v1/policies/roles?limit=100');
    const billingAdmin = roles.body.items.find((r: { name: string }) => r.name === 'billing-admin');
    expect((await rest('POST', `/v1/policies/roles/${billingAdmin.id}/assign`, { userId: 'bob' })).status).toBe(201);

    // Inherited permission, decided by the parent role.
    expect((await evaluate('user:bob', 'billing:read', 'invoice:1')).result).toMatchObject({ allow: true, roleId: base.id });
    expect((await evaluate('user:bob', 'billing:write', 'invoice:1')).result.allow).toBe(true);
    // Unknown action, unknown subject: nothing matches, so deny.
    expect((await evaluate('user:bob', 'billing:obliterate', 'invoice:1')).result).toMatchObject({ allow: false, policyId: null, roleId: null });
    expect((await evaluate('user:nobody', 'billing:read', 'invoice:1')).result.allow).toBe(false);

    // A deny at equal priority (0, like role permissions) wins; scoped to one resource.
    const deny = await rest('POST', '/v1/policies', { name: 'freeze 7', effect: 'deny', priority: 0, subjects: ['role:billing-reader'], actions: ['billing:*'], resources: ['invoice:7'] });
    expect((await evaluate('user:bob', 'billing:read', 'invoice:7')).result).toMatchObject({ allow: false, policyId: deny.body.id });
    expect((await evaluate('user:bob', 'billing:read', 'invoice:8')).result.allow).toBe(true);
    // A higher-priority allow beats it; a still higher deny beats that.
    const allow = await rest('POST', '/v1/policies', { name: 'except bob', effect: 'allow', priority: 10, subjects: ['user:bob'], actions: ['billing:read'], resources: ['invoice:7'] });
    expect((await evaluate('user:bob', 'billing:read', 'invoice:7')).result).toMatchObject({ allow: true, policyId: allow.body.id });
    const lockdown = await rest('POST', '/v1/policies', { name: 'lockdown', effect: 'deny', priority: 100, subjects: ['*'], actions: ['*'], resources: ['invoice:7'] });
    const decided = await evaluate('user:bob', 'billing:read', 'invoice:7', {}, true);
    expect(decided.result).toMatchObject({ allow: false, policyId: lockdown.body.id });
    // The explanation lists every rule considered, and marks the decisive one.
    expect(decided.explanation!.roles).toEqual(expect.arrayContaining(['role:billing-admin', 'role:billing-reader']));
    const rules = decided.explanation!.rules as { source: string; decisive: boolean; effect: string }[];
    expect(rules.filter((r) => r.decisive).map((r) => r.source)).toEqual([`policy:${lockdown.body.id}`]);
    expect(rules.map((r) => r.source)).toEqual(expect.arrayContaining([`policy:${deny.body.id}`, `policy:${allow.body.id}`]));
  });

  it('organization domains: a role assigned in one organization does not apply in another', async () => {
    const orgA = '0190a000-0000-7000-8000-0000000000aa';
    const orgB = '0190a000-0000-7000-8000-0000000000bb';
    const role = await createRole('org-editor', ['docs:write']);
    expect((await rest('POST', `/v1/policies/roles/${role.id}/assign`, { userId: 'carol', organizationId: orgA })).status).toBe(201);
    expect((await evaluate('user:carol', 'docs:write', 'doc:1', { organizationId: orgA })).result.allow).toBe(true);
    expect((await evaluate('user:carol', 'docs:write', 'doc:1', { organizationId: orgB })).result.allow).toBe(false);
    expect((await evaluate('user:carol', 'docs:write', 'doc:1')).result.allow).toBe(false);
    const orgRole = await rest('POST', '/v1/policies/roles', { name: 'org-only', permissions: ['docs:read'], organizationId: orgA });
    expect(orgRole.status).toBe(201);
    expect((await rest('POST', '/v1/policies/roles', { name: 'org-only', permissions: [], organizationId: orgB })).status).toBe(201);
    const clash = await rest('POST', '/v1/policies/roles', { name: 'org-only', permissions: [] });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'ROLE_NAME_TAKEN', fields: [{ path: 'name' }] });
    const wrongOrg = await rest('POST', `/v1/policies/roles/${orgRole.body.id}/assign`, { userId: 'carol', organizationId: orgB });
    expect(wrongOrg.status).toBe(400);
    expect(wrongOrg.body.error.fields[0].path).toBe('organizationId');
    expect((await rest('POST', `/v1/policies/roles/${orgRole.body.id}/assign`, { userId: 'carol' })).status).toBe(201);
    expect((await evaluate('user:carol', 'docs:read', 'doc:1', { organizationId: orgA })).result.allow).toBe(true);
    expect((await evaluate('user:carol', 'docs:read', 'doc:1')).result.allow).toBe(false);
    const again = await rest('POST', `/v1/policies/roles/${role.id}/assign`, { userId: 'carol', organizationId: orgA });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ROLE_ALREADY_ASSIGNED');
    const removed = await rest('DELETE', `/v1/policies/roles/${role.id}/unassign?userId=carol&organizationId=${orgA}`);
    expect(removed.status).toBe(200);
    expect((await evaluate('user:carol', 'docs:write', 'doc:1', { organizationId: orgA })).result.allow).toBe(false);
    const audit = await sql.query(`select action from audit_events where target_id = 'carol' order by id`);
    expect(audit.rows.map((r) => r.action)).toEqual(['role.assigned', 'role.assigned', 'role.unassigned']);
  });

  it('each condition flips a decision: IP range, time window, MFA, resource owner', async () => {
    const mk = (name: string, conditions: Record<string, unknown>) =>
      rest('POST', '/v1/policies', { name, effect: 'allow', priority: 1, subjects: ['user:dana'], actions: [`cond:${name}`], resources: ['thing:*'], conditions });
    expect((await mk('ip', { ipRanges: ['10.0.0.0/8', '2001:db8::/32'] })).status).toBe(201);
    expect((await evaluate('user:dana', 'cond:ip', 'thing:1', { ip: '10.20.30.40' })).result.allow).toBe(true);
    expect((await evaluate('user:dana', 'cond:ip', 'thing:1', { ip: '2001:db8::1' })).result.allow).toBe(true);
    expect((await evaluate('user:dana', 'cond:ip', 'thing:1', { ip: '192.168.0.1' })).result.allow).toBe(false);
    expect((await evaluate('user:dana', 'cond:ip', 'thing:1', {})).result.allow).toBe(false);

    await mk('hours', { timeWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, timeZone: 'Europe/Paris' } });
    // 2026-11-23 is a Monday; Paris is UTC+1 in November.
    expect((await evaluate('user:dana', 'cond:hours', 'thing:1', { time: '2026-11-23T09:30:00Z' })).result.allow).toBe(true);
    expect((await evaluate('user:dana', 'cond:hours', 'thing:1', { time: '2026-11-23T07:30:00Z' })).result.allow).toBe(false);
    expect((await evaluate('user:dana', 'cond:hours', 'thing:1', { time: '2026-11-22T10:00:00Z' })).result.allow).toBe(false); // Sunday

    await mk('mfa', { mfa: true });
    expect((await evaluate('user:dana', 'cond:mfa', 'thing:1', { amr: ['pwd'] })).result.allow).toBe(false);
    expect((await evaluate('user:dana', 'cond:mfa', 'thing:1', { amr: ['pwd', 'otp'] })).result.allow).toBe(true);
    expect((await evaluate('user:dana', 'cond:mfa', 'thing:1', { mfa: true })).result.allow).toBe(true);

    await mk('owner', { attributes: [{ attribute: 'resource.owner', operator: 'equals', valueFrom: 'subject.id' }] });
    expect((await evaluate('user:dana', 'cond:owner', 'thing:1', { resource: { owner: 'dana' } })).result.allow).toBe(true);
    expect((await evaluate('user:dana', 'cond:owner', 'thing:1', { resource: { owner: 'eve' } })).result.allow).toBe(false);
    const explained = await evaluate('user:dana', 'cond:owner', 'thing:1', { resource: { owner: 'eve' } }, true);
    expect(explained.explanation!.rules).toEqual([expect.objectContaining({ conditions: 'attributes.0', decisive: false })]);
  });

  it('answers a batch in request order', async () => {
    const res = await rest('POST', '/v1/policies/evaluate/batch', {
      requests: [
        { subject: 'user:bob', action: 'billing:read', resource: 'invoice:8' },
        { subject: 'user:bob', action: 'billing:obliterate', resource: 'invoice:8' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { result: { allow: boolean } }) => r.result.allow)).toEqual([true, false]);
    const viaTrpc = await api.trpc({ token: api.platformKey, tenant: T }).policies.evaluateBatch.mutate({ requests: [{ subject: 'user:bob', action: 'billing:read', resource: 'invoice:8' }] });
    expect(viaTrpc.results[0]!.result.allow).toBe(true);
  });

  it('logs sampled decisions with input and outcome', async () => {
    const set = await rest('PATCH', '/v1/policies/settings', { decisionLogSampleRate: 1 });
    expect(set.status).toBe(200);
    await evaluate('user:bob', 'billing:read', 'invoice:8', { ip: '10.0.0.9', purpose: 'audit-test' });
    const { waitFor } = await import('../src');
    const row = await waitFor(async () => (await sql.query(`select * from authz_decisions where input->'context'->>'purpose' = 'audit-test'`)).rows[0], 'a logged decision');
    expect(row).toMatchObject({ subject: 'user:bob', action: 'billing:read', resource: 'invoice:8', allow: true, decided_by: 'engine' });
    const listed = await rest('GET', '/v1/policies/decisions?subject=user:bob&allow=true&limit=5');
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toMatchObject({ subject: 'user:bob', allow: true, input: { context: { purpose: 'audit-test', ip: '10.0.0.9' } } });
    await rest('PATCH', '/v1/policies/settings', { decisionLogSampleRate: 0 });
    const audit = await sql.query(`select count(*)::int as n from audit_events where action = 'authz.settings_updated'`);
    expect(audit.rows[0].n).toBe(2);
  });
});

describe('tenant isolation', () => {
  it('another tenant sees none of these policies or roles, and its decisions are its own', async () => {
    await api.rest('POST', '/v1/tenants', { body: { slug: 'authz-other', name: 'Other' } });
    const mine = await rest('POST', '/v1/policies', { name: 'mine', effect: 'allow', subjects: ['user:iso'], actions: ['iso:read'], resources: ['*'] });
    const role = await createRole('iso-role', ['iso:write']);
    const other = (method: string, path: string, body?: unknown) => api.rest(method, path, { body, tenant: 'authz-other' });
    expect((await other('GET', `/v1/policies/${mine.body.id}`)).body.error.code).toBe('POLICY_NOT_FOUND');
    expect((await other('PATCH', `/v1/policies/${mine.body.id}`, { priority: 9 })).status).toBe(404);
    expect((await other('DELETE', `/v1/policies/${mine.body.id}`)).status).toBe(404);
    const assign = await other('POST', `/v1/policies/roles/${role.id}/assign`, { userId: 'iso' });
    expect(assign.status).toBe(404);
    expect(assign.body.error.code).toBe('ROLE_NOT_FOUND');
    expect((await other('GET', '/v1/policies?limit=100')).body.items).toEqual([]);
    const decided = await other('POST', '/v1/policies/evaluate', { subject: 'user:iso', action: 'iso:read', resource: 'x:1' });
    expect(decided.body.result.allow).toBe(false);
    expect((await evaluate('user:iso', 'iso:read', 'x:1')).result.allow).toBe(true);
  });
});
