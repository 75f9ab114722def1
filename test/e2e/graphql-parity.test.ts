import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startTestApi, type SignedInUser, type TestApi } from '../src';
import { gql, tenantWithAdmin, type GqlResponse } from './graphql.support';
import { asRest, returnTypeOf, selectAll, withoutNulls } from './graphql-select';

/**
 * GraphQL and REST over the same data, for a tenant admin, an organization member and a stranger
 * (a user of the tenant in no organization): every case is asked both ways and must get the same
 * answer — the same object, or the same refusal (code, HTTP status, fields at fault).
 */
let api: TestApi;
const T = 'gql-parity';
let admin: SignedInUser;
let member: SignedInUser;
let stranger: SignedInUser;
const w: Record<string, string> = {};

interface Case {
  name: string;
  rest: [method: string, path: string, body?: unknown];
  root: 'Query' | 'Mutation';
  field: string;
  args: Record<string, unknown>;
  /** Fields that change between the two calls (timestamps a write sets). */
  volatile?: string[];
}

/** A GraphQL literal for a JSON-like value. */
const lit = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(lit).join(', ')}]`
    : value && typeof value === 'object'
      ? `{ ${Object.entries(value).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')} }`
      : JSON.stringify(value);

function operationOf(c: Case): string {
  const args = Object.keys(c.args).length ? `(${Object.entries(c.args).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')})` : '';
  const type = returnTypeOf(c.root, c.field);
  return `${c.root === 'Query' ? 'query' : 'mutation'} { ${c.field}${args} ${type.leaf ? '' : selectAll(type.name)} }`;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; status: number; fields?: string[] };

const drop = (value: any, keys: string[] = []): any => {
  if (Array.isArray(value)) return value.map((v) => drop(v, keys));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)).map(([k, v]) => [k, drop(v, keys)]));
  return value;
};

async function overRest(c: Case, user: SignedInUser): Promise<Outcome> {
  const [method, path, body] = c.rest;
  const res = await api.rest(method, path, { token: user.token, body });
  if (res.status < 300) return { ok: true, value: drop(withoutNulls(res.body), c.volatile) };
  return { ok: false, code: res.body.error.code, status: res.status, fields: res.body.error.fields?.map((f: { path: string }) => f.path) };
}

async function overGraphQL(c: Case, user: SignedInUser): Promise<Outcome> {
  const res: GqlResponse = await gql(api, operationOf(c), { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  if (!res.errors) return { ok: true, value: drop(withoutNulls(asRest(res.data[c.field])), c.volatile) };
  expect(res.errors, JSON.stringify(res.body)).toHaveLength(1);
  const { extensions } = res.errors[0]!;
  return { ok: false, code: extensions.code, status: extensions.status, fields: extensions.fields?.map((f) => f.path) };
}

beforeAll(async () => {
  api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  ({ admin } = await tenantWithAdmin(api, T));
  member = await signedInUser(api, { email: 'member@gql-parity.test', tenant: T, displayName: 'Member' });
  stranger = await signedInUser(api, { email: 'stranger@gql-parity.test', tenant: T });
  const as = async (method: string, path: string, body?: unknown) => {
    const res = await api.rest(method, path, { token: admin.token, body });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  w.org = (await as('POST', '/v1/orgs', { name: 'Acme' })).id;
  w.team = (await as('POST', `/v1/orgs/${w.org}/teams`, { name: 'core' })).id;
  await as('POST', `/v1/orgs/${w.org}/members`, { userId: member.id, role: 'member', teamIds: [w.team] });
  w.invitation = (await as('POST', '/v1/invitations', { organizationId: w.org, email: 'invitee@gql-parity.test' })).id;
  w.endpoint = (await as('POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hook' })).id;
  w.policy = (await as('POST', '/v1/policies', { name: 'read-users', effect: 'allow', subjects: ['role:viewer'], actions: ['users:read'], resources: ['*'] })).id;
  // API keys and machine clients are the owner's (or the platform operator's) to make.
  expect((await api.rest('POST', '/v1/api-keys', { tenant: T, body: { name: 'ci', role: 'viewer' } })).status).toBe(201);
  expect((await api.rest('POST', '/v1/clients', { tenant: T, body: { name: 'backend', roles: ['viewer'] } })).status).toBe(201);
}, 120_000);

const cases = (): Case[] => [
  { name: 'current tenant', rest: ['GET', '/v1/tenant'], root: 'Query', field: 'tenantsCurrent', args: {} },
  { name: 'organization', rest: ['GET', `/v1/orgs/${w.org}`], root: 'Query', field: 'orgsGet', args: { orgId: w.org } },
  { name: 'organizations', rest: ['GET', '/v1/orgs?limit=10'], root: 'Query', field: 'orgsList', args: { first: 10 } },
  { name: 'members', rest: ['GET', `/v1/orgs/${w.org}/members?limit=10`], root: 'Query', field: 'orgsListMembers', args: { orgId: w.org, first: 10 } },
  { name: 'teams', rest: ['GET', `/v1/orgs/${w.org}/teams`], root: 'Query', field: 'orgsListTeams', args: { orgId: w.org } },
  { name: 'team', rest: ['GET', `/v1/orgs/${w.org}/teams/${w.team}`], root: 'Query', field: 'orgsGetTeam', args: { orgId: w.org, teamId: w.team } },
  { name: 'team members', rest: ['GET', `/v1/orgs/${w.org}/teams/${w.team}/members`], root: 'Query', field: 'orgsListTeamMembers', args: { orgId: w.org, teamId: w.team } },
  { name: 'user', rest: ['GET', `/v1/users/${member.id}`], root: 'Query', field: 'usersGet', args: { userId: member.id } },
  { name: 'users', rest: ['GET', '/v1/users?limit=5'], root: 'Query', field: 'usersList', args: { first: 5 } },
  { name: "a user's sessions", rest: ['GET', `/v1/users/${member.id}/sessions`], root: 'Query', field: 'usersSessions', args: { userId: member.id } },
  { name: 'invitations', rest: ['GET', `/v1/invitations?organizationId=${w.org}`], root: 'Query', field: 'invitationsList', args: { organizationId: w.org } },
  { name: 'invitation', rest: ['GET', `/v1/invitations/${w.invitation}`], root: 'Query', field: 'invitationsGet', args: { id: w.invitation } },
  { name: 'roles', rest: ['GET', '/v1/policies/roles?limit=50'], root: 'Query', field: 'policiesRolesList', args: { first: 50 } },
  { name: 'policies', rest: ['GET', '/v1/policies'], root: 'Query', field: 'policiesList', args: {} },
  { name: 'policy', rest: ['GET', `/v1/policies/${w.policy}`], root: 'Query', field: 'policiesGet', args: { id: w.policy } },
  { name: 'evaluate', rest: ['POST', '/v1/policies/evaluate', { subject: `user:${member.id}`, action: 'invoices:read', resource: 'invoice:1' }], root: 'Mutation', field: 'policiesEvaluate', args: { subject: `user:${member.id}`, action: 'invoices:read', resource: 'invoice:1' } },
  { name: 'API keys', rest: ['GET', '/v1/api-keys'], root: 'Query', field: 'apiKeysList', args: {} },
  { name: 'machine clients', rest: ['GET', '/v1/clients'], root: 'Query', field: 'clientsList', args: {} },
  { name: 'signing keys', rest: ['GET', '/v1/signing-keys'], root: 'Query', field: 'signingKeysList', args: {} },
  { name: 'webhook endpoints', rest: ['GET', '/v1/webhooks/endpoints'], root: 'Query', field: 'webhooksListEndpoints', args: {} },
  { name: 'webhook endpoint', rest: ['GET', `/v1/webhooks/endpoints/${w.endpoint}`], root: 'Query', field: 'webhooksGetEndpoint', args: { endpointId: w.endpoint } },
  { name: 'webhook messages', rest: ['GET', `/v1/webhooks/endpoints/${w.endpoint}/messages`], root: 'Query', field: 'webhooksListMessages', args: { endpointId: w.endpoint } },
  { name: 'dead letters', rest: ['GET', '/v1/webhooks/dead-letters'], root: 'Query', field: 'webhooksListDeadLetters', args: {} },
  { name: 'audit stats', rest: ['GET', `/v1/audit-logs/stats?organizationId=${w.org}`], root: 'Query', field: 'auditLogsStats', args: { organizationId: w.org }, volatile: ['from', 'to'] },
  { name: 'audit integrity', rest: ['GET', '/v1/audit-logs/integrity'], root: 'Query', field: 'auditLogsIntegrity', args: {} },
  { name: 'own sessions', rest: ['GET', '/v1/sessions'], root: 'Query', field: 'sessionsList', args: {}, volatile: ['lastSeenAt', 'lastUsedAt'] },
  // Writes: the same change twice (idempotent), and the same refusals of bad input.
  { name: 'rename an organization', rest: ['PATCH', `/v1/orgs/${w.org}`, { name: 'Acme Inc.' }], root: 'Mutation', field: 'orgsUpdate', args: { orgId: w.org, name: 'Acme Inc.' }, volatile: ['updatedAt'] },
  { name: 'bad slug', rest: ['PATCH', `/v1/orgs/${w.org}`, { slug: '-Bad_' }], root: 'Mutation', field: 'orgsUpdate', args: { orgId: w.org, slug: '-Bad_' } },
  { name: 'member with a bad role', rest: ['POST', `/v1/orgs/${w.org}/members`, { userId: stranger.id, role: 'NOT A ROLE' }], root: 'Mutation', field: 'orgsAddMember', args: { orgId: w.org, userId: stranger.id, role: 'NOT A ROLE' } },
  { name: "a user's display name", rest: ['PATCH', `/v1/users/${member.id}`, { displayName: 'Member M.' }], root: 'Mutation', field: 'usersUpdate', args: { userId: member.id, displayName: 'Member M.' }, volatile: ['updatedAt'] },
  { name: 'a team description', rest: ['PATCH', `/v1/orgs/${w.org}/teams/${w.team}`, { description: 'The core team' }], root: 'Mutation', field: 'orgsUpdateTeam', args: { orgId: w.org, teamId: w.team, description: 'The core team' }, volatile: ['updatedAt'] },
  { name: 'unknown organization', rest: ['GET', '/v1/orgs/01900000-0000-7000-8000-000000000000'], root: 'Query', field: 'orgsGet', args: { orgId: '01900000-0000-7000-8000-000000000000' } },
];

describe.each([
  ['a tenant admin', () => admin],
  ['an organization member', () => member],
  ['a stranger', () => stranger],
])('GraphQL answers %s as REST does', (_who, user) => {
  it('for every resource: the same object, or the same refusal', async () => {
    const outcomes: string[] = [];
    for (const c of cases()) {
      const rest = await overRest(c, user());
      const graphql = await overGraphQL(c, user());
      expect(graphql, `${c.name}: ${JSON.stringify({ rest, graphql }).slice(0, 2000)}`).toEqual(rest);
      outcomes.push(`${c.name}: ${rest.ok ? 'ok' : `${rest.status} ${rest.code}`}`);
    }
    // Each principal must see both answers and refusals (else the table would prove little).
    expect(outcomes.some((o) => o.endsWith(': ok')), outcomes.join('\n')).toBe(true);
    if (user() !== admin) expect(outcomes.some((o) => / 40[34] /.test(o)), outcomes.join('\n')).toBe(true);
  });
});
