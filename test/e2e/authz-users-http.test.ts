import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';

/**
 * Real users (signed up and in through the auth module) calling the policy API over REST with
 * their session tokens: every protected procedure is decided by roles and policies.
 */
let api: TestApi;
const T = 'authz-http';
const users: Record<string, { id: string; token: string }> = {};
const roleIds: Record<string, string> = {};

async function signUpAndIn(name: string) {
  const email = `${name}@authz.test`;
  const password = `correct horse ${name} battery staple`;
  const up = await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email, password, displayName: name } });
  expect(up.status, JSON.stringify(up.body)).toBeLessThan(300);
  const signedIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email, password } });
  expect(signedIn.body.status).toBe('signed_in');
  users[name] = { id: signedIn.body.user.id, token: signedIn.body.access_token };
}

const as = (name: string) => (method: string, path: string, body?: unknown) => api.rest(method, path, { token: users[name]!.token, body });
const op = (method: string, path: string, body?: unknown) => api.rest(method, path, { tenant: T, body });

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Authz over HTTP' } })).status).toBe(201);
  for (const name of ['olga', 'ron']) await signUpAndIn(name);
  for (const role of (await op('GET', '/v1/policies/roles?limit=100')).body.items) roleIds[role.name] = role.id;
});

describe('users over HTTP', () => {
  it('are refused without a role, allowed with one, refused again once it is taken away', async () => {
    const refused = await as('olga')('GET', '/v1/policies');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'policies:read' } });
    expect((await op('POST', `/v1/policies/roles/${roleIds.admin}/assign`, { userId: users.olga!.id })).status).toBe(201);
    expect((await as('olga')('GET', '/v1/policies')).status).toBe(200);
    expect((await op('DELETE', `/v1/policies/roles/${roleIds.admin}/unassign?userId=${users.olga!.id}`)).status).toBe(200);
    expect((await as('olga')('GET', '/v1/policies')).status).toBe(403);
  });

  it('cannot escalate: an admin cannot make itself owner nor grant itself everything', async () => {
    await op('POST', `/v1/policies/roles/${roleIds.admin}/assign`, { userId: users.ron!.id });
    const ron = as('ron');
    const toOwner = await ron('POST', `/v1/policies/roles/${roleIds.owner}/assign`, { userId: users.ron!.id });
    expect(toOwner.status).toBe(403);
    expect(toOwner.body.error.code).toBe('PERMISSION_NOT_HELD');
    const everything = await ron('POST', '/v1/policies', { name: 'all', effect: 'allow', subjects: [`user:${users.ron!.id}`], actions: ['*'], resources: ['*'] });
    expect(everything.status).toBe(403);
    expect(everything.body.error).toMatchObject({ code: 'PERMISSION_NOT_HELD', fields: [{ path: 'actions' }] });
    // Within what it holds, an admin manages roles for others.
    const created = await ron('POST', '/v1/policies/roles', { name: 'support', permissions: ['users:read', 'members:read'] });
    expect(created.status).toBe(201);
    expect((await ron('POST', `/v1/policies/roles/${created.body.id}/assign`, { userId: users.olga!.id })).status).toBe(201);
    const audit = await op('GET', '/v1/policies/decisions?limit=1');
    expect(audit.status).toBe(200);
  });

  it('a deny policy with higher priority takes away what a role grants, for that user only', async () => {
    const deny = await op('POST', '/v1/policies', { name: 'ron may not read policies', effect: 'deny', priority: 10, subjects: [`user:${users.ron!.id}`], actions: ['policies:read'], resources: ['*'] });
    expect(deny.status).toBe(201);
    expect((await as('ron')('GET', '/v1/policies')).status).toBe(403);
    expect((await as('ron')('GET', '/v1/policies/roles')).status).toBe(200);
    expect((await op('DELETE', `/v1/policies/${deny.body.id}`)).status).toBe(200);
    expect((await as('ron')('GET', '/v1/policies')).status).toBe(200);
  });
});
