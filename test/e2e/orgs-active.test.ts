import { beforeAll, describe, expect, it } from 'vitest';
import { signIn, signedInUser, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * The active organization: a member makes an organization active for their session; the access
 * token (and every token the session's refreshes issue) carries `org_id` and `org_role`, kept in
 * step with role changes and removal. Non-members cannot activate it.
 */
let api: TestApi;
const T = 'orgs-active';
let owner: SignedInUser;
let member: SignedInUser;
let outsider: SignedInUser;
let orgId: string;

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).status).toBe(201);
  owner = await signedInUser(api, { email: 'owner@active.test', tenant: T });
  member = await signedInUser(api, { email: 'member@active.test', tenant: T });
  outsider = await signedInUser(api, { email: 'outsider@active.test', tenant: T });
  orgId = (await api.rest('POST', '/v1/orgs', { token: owner.token, body: { name: 'Active Co' } })).body.id;
  expect((await api.rest('POST', `/v1/orgs/${orgId}/members`, { token: owner.token, body: { userId: member.id, role: 'member' } })).status).toBe(201);
});

describe('active organization in access tokens', () => {
  it('carries org_id and org_role in the new token and in refreshed ones; follows role changes and removal', async () => {
    const session = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email: member.email, password: member.password } });
    expect(claims(session.body.access_token).org_id).toBeUndefined();
    const activated = await api.rest('POST', `/v1/orgs/${orgId}/activate`, { token: session.body.access_token });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect(activated.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(claims(activated.body.access_token)).toMatchObject({ org_id: orgId, org_role: 'member', sid: session.body.session_id });
    const me = await api.rest('GET', '/v1/me', { token: activated.body.access_token });
    expect(me.body.session.organizationId).toBe(orgId);

    const refreshed = await api.rest('POST', '/v1/auth/refresh', { token: null, tenant: T, body: { refresh_token: session.body.refresh_token } });
    expect(claims(refreshed.body.access_token)).toMatchObject({ org_id: orgId, org_role: 'member' });

    expect((await api.rest('PATCH', `/v1/orgs/${orgId}/members/${member.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(200);
    const promoted = await api.rest('POST', '/v1/auth/refresh', { token: null, tenant: T, body: { refresh_token: refreshed.body.refresh_token } });
    expect(claims(promoted.body.access_token)).toMatchObject({ org_id: orgId, org_role: 'admin' });

    expect((await api.rest('DELETE', `/v1/orgs/${orgId}/members/${member.id}`, { token: owner.token })).status).toBe(200);
    const removed = await api.rest('POST', '/v1/auth/refresh', { token: null, tenant: T, body: { refresh_token: promoted.body.refresh_token } });
    expect(claims(removed.body.access_token).org_id).toBeUndefined();
  });

  it('refuses non-members and credentials without a session', async () => {
    const fresh = await signIn(api, { email: outsider.email, password: outsider.password, tenant: T });
    expect((await api.rest('POST', `/v1/orgs/${orgId}/activate`, { token: fresh.token })).status).toBe(404);
    // The platform key is not a session.
    expect((await api.rest('POST', `/v1/orgs/${orgId}/activate`, { tenant: T })).status).toBe(403);
  });
});
