import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';

/**
 * The audit views with real principals: users signed in through the auth module, and an
 * organization-scoped role granted through the authz module.
 */
let api: TestApi;
const T = 'audit-views';
const ORG_A = '0190cccc-0000-7000-8000-00000000000a';
const ORG_B = '0190cccc-0000-7000-8000-00000000000b';
const users: Record<string, { id: string; token: string }> = {};

async function signUpAndIn(name: string) {
  const email = `${name}@views.test`;
  const password = `correct horse ${name} battery`;
  const up = await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email, password, displayName: name } });
  expect(up.status, JSON.stringify(up.body)).toBeLessThan(300);
  const signedIn = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: T, body: { email, password } });
  expect(signedIn.body.status).toBe('signed_in');
  users[name] = { id: signedIn.body.user.id, token: signedIn.body.access_token };
}

const listAs = async (name: string, query = '') => {
  const res = await api.rest('GET', `/v1/audit-logs?limit=100${query}`, { token: users[name]!.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; actor: { id: string }; target: { type: string; id: string } | null; organizationId: string | null }[];
};

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'Views' } })).status).toBe(201);
  await signUpAndIn('alice');
  await signUpAndIn('bob');
  await api.rest('POST', '/v1/audit-logs/schemas', { tenant: T, body: { action: 'doc.shared', dataSchema: { fields: {}, additionalFields: true } } });
  for (const org of [ORG_A, ORG_B]) {
    const res = await api.rest('POST', '/v1/audit-logs/events', { tenant: T, body: { action: 'doc.shared', organizationId: org, actor: { type: 'user', id: 'carol' }, data: {} } });
    expect(res.status).toBe(201);
  }
});

describe('audit views', () => {
  it('a user sees only their own events (done by them or to them)', async () => {
    const alice = users.alice!;
    const events = await listAs('alice');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.actor.id === alice.id || (e.target?.type === 'user' && e.target.id === alice.id), JSON.stringify(e)).toBe(true);
    const bobs = await listAs('bob');
    const bobEvent = bobs.find((e) => e.actor.id === users.bob!.id)!;
    const peek = await api.rest('GET', `/v1/audit-logs/${bobEvent.id}`, { token: alice.token });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('AUDIT_EVENT_NOT_FOUND');
  });

  it("an organization admin (audit:read in that organization's domain) sees that organization's events only", async () => {
    const role = await api.rest('POST', '/v1/policies/roles', { tenant: T, body: { name: 'org-auditor', permissions: ['audit:read'], organizationId: ORG_A } });
    expect(role.status, JSON.stringify(role.body)).toBeLessThan(300);
    const assigned = await api.rest('POST', `/v1/policies/roles/${role.body.id}/assign`, { tenant: T, body: { userId: users.alice!.id, organizationId: ORG_A } });
    expect(assigned.status, JSON.stringify(assigned.body)).toBeLessThan(300);

    const orgA = await listAs('alice', `&organizationId=${ORG_A}`);
    expect(orgA.length).toBeGreaterThan(0);
    expect(orgA.every((e) => e.organizationId === ORG_A)).toBe(true);
    expect(orgA.some((e) => e.actor.id === 'carol')).toBe(true);
    // Not an admin of B: asking for B falls back to her own events, none of which are B's.
    const orgB = await listAs('alice', `&organizationId=${ORG_B}`);
    expect(orgB.some((e) => e.actor.id === 'carol')).toBe(false);
    // And still only her own events without naming the organization.
    expect((await listAs('alice')).some((e) => e.actor.id === 'carol')).toBe(false);
  });

  it('a tenant admin sees the whole tenant', async () => {
    const all = await api.rest('GET', '/v1/audit-logs?limit=100', { tenant: T });
    const actors = new Set(all.body.items.map((e: { actor: { id: string } }) => e.actor.id));
    expect(actors).toContain('carol');
    expect(actors).toContain(users.alice!.id);
    expect(actors).toContain(users.bob!.id);
  });
});
