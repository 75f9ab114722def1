import { beforeAll, describe, expect, it } from 'vitest';
import { getNamedType, isListType, isNonNullType, isLeafType, type GraphQLArgument, type GraphQLField, type GraphQLInputType } from 'graphql';
import { buildGraphQLSchema } from '@plinto/api';
import { signedInUser, startTestApi, type SignedInUser, type TestApi } from '../src';
import { gql, onlyError, tenantWithAdmin } from './graphql.support';
import { selectAll } from './graphql-select';

/**
 * Every GraphQL query and mutation that takes an id, called with the ids of another tenant's
 * objects (by that tenant's neighbour's admin) and of another organization's (by a member of one
 * organization of the same tenant): 0 successes — refusals, or lists that name none of them. Node
 * ids of another tenant's objects are the same 404 as forged ones.
 */
let api: TestApi;
const T = 'gql-iso';
const O = 'gql-iso-other';
let admin: SignedInUser;
let member: SignedInUser;
const mine: Record<string, string> = {};
const theirs: Record<string, string> = {};
const schema = buildGraphQLSchema();

const ok = async (tenant: string, method: string, path: string, body?: unknown, token?: string) => {
  const res = await api.rest(method, path, { tenant, body, token });
  expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
};

let worlds = 0;

/** A tenant with one of every kind of object, made by the platform operator; its ids. */
async function world(tenant: string, owner: SignedInUser): Promise<Record<string, string>> {
  const ids: Record<string, string> = { user: owner.id };
  const n = (worlds += 1);
  ids.org = (await ok(tenant, 'POST', '/v1/orgs', { name: `Org ${n} of ${tenant}`, ownerId: owner.id })).id;
  ids.team = (await ok(tenant, 'POST', `/v1/orgs/${ids.org}/teams`, { name: 'team' })).id;
  ids.invitation = (await ok(tenant, 'POST', '/v1/invitations', { organizationId: ids.org, email: `invitee@${tenant}.test` })).id;
  ids.endpoint = (await ok(tenant, 'POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hook' })).id;
  ids.message = (await ok(tenant, 'POST', `/v1/webhooks/endpoints/${ids.endpoint}/test`, {})).id;
  ids.policy = (await ok(tenant, 'POST', '/v1/policies', { name: 'p', effect: 'allow', subjects: ['role:viewer'], actions: ['users:read'], resources: ['*'] })).id;
  ids.role = (await ok(tenant, 'POST', '/v1/policies/roles', { name: `auditor-${n}`, permissions: ['users:read'] })).id;
  ids.apiKey = (await ok(tenant, 'POST', '/v1/api-keys', { name: 'k', role: 'viewer' })).id;
  ids.client = (await ok(tenant, 'POST', '/v1/clients', { name: 'c', roles: ['viewer'] })).id;
  ids.auditEvent = (await ok(tenant, 'GET', '/v1/audit-logs?limit=1')).items[0].id;
  ids.session = (await api.rest('GET', '/v1/me', { token: owner.token })).body.session.id;
  ids.tenant = (await ok(tenant, 'GET', '/v1/tenant')).id;
  return ids;
}

/** The value of an id argument of `field`, from a world's ids. */
function idFor(field: string, arg: string, ids: Record<string, string>): string {
  if (arg === 'tenantId') return ids.tenant!;
  if (arg === 'id') {
    const kind = field.startsWith('policiesRoles') ? 'role' : field.startsWith('policies') ? 'policy' : field.startsWith('apiKeys') ? 'apiKey' : field.startsWith('clients') ? 'client' : field.startsWith('invitations') ? 'invitation' : 'auditEvent';
    return ids[kind]!;
  }
  const byArg: Record<string, string> = { userId: 'user', ownerId: 'user', actorId: 'user', targetId: 'user', sessionId: 'session', orgId: 'org', organizationId: 'org', teamId: 'team', parentId: 'team', endpointId: 'endpoint', messageId: 'message' };
  return ids[byArg[arg]!]!;
}

/** Plausible values for the other arguments, so that an id is what decides the answer. */
const FILL: Record<string, unknown> = {
  name: 'Taken over',
  displayName: 'Taken over',
  description: 'Taken over',
  effect: 'allow',
  subjects: ['role:viewer'],
  actions: ['users:read'],
  resources: ['*'],
  role: 'member',
  url: 'http://127.0.0.1:9/attack',
  action: 'custom.attack',
  email: 'attacker@gql-iso.test',
  since: '2026-01-01T00:00:00.000Z',
  invitations: [{ email: 'attacker2@gql-iso.test' }],
};

const lit = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(lit).join(', ')}]` : value && typeof value === 'object' ? `{ ${Object.entries(value).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')} }` : JSON.stringify(value);

const isId = (arg: GraphQLArgument) => /(^id$|Id$)/.test(arg.name);

function argValue(field: string, arg: GraphQLArgument, ids: Record<string, string>): unknown {
  if (isId(arg)) return idFor(field, arg.name, ids);
  if (arg.name in FILL) {
    const value = FILL[arg.name];
    const named = getNamedType(arg.type as GraphQLInputType);
    return isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type) || !isLeafType(named) ? value : Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Operations allowed to succeed with another tenant's ids: none (organization-scoped policies ask the orgs module's directory). */
const KNOWN_GAPS: string[] = [];

interface Attempt {
  field: string;
  outcome: string;
}

/** Calls every id-taking operation with `ids` as `user`; returns what each answered. */
async function attack(user: SignedInUser, ids: Record<string, string>, only?: (arg: string) => boolean): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (const [root, type] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (field.name === 'node' || !field.args.some((a) => isId(a) && (!only || only(a.name)))) continue;
      const args = field.args
        .map((a) => [a.name, argValue(field.name, a, ids)] as const)
        .filter(([, v]) => v !== undefined);
      const named = getNamedType(field.type);
      const selection = isLeafType(named) ? '' : selectAll(named.name, 3);
      const res = await gql(api, `${root} { ${field.name}(${args.map(([k, v]) => `${k}: ${lit(v)}`).join(', ')}) ${selection} }`, { token: user.token });
      expect(res.status, `${field.name}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
      if (res.errors) {
        const { code, status } = res.errors[0]!.extensions;
        expect(status, `${field.name}: ${code}`).toBeLessThan(500);
        attempts.push({ field: field.name, outcome: `${status} ${code}` });
        continue;
      }
      // Answered: only a list may answer, and it must name none of the other side's objects.
      const answer = JSON.stringify(res.data);
      const leaked = Object.entries(ids).filter(([kind, id]) => kind !== 'tenant' && answer.includes(id));
      attempts.push({ field: field.name, outcome: root === 'query' && leaked.length === 0 ? 'empty' : `SUCCESS ${leaked.map(([k]) => k).join(',')}` });
    }
  }
  return attempts;
}

beforeAll(async () => {
  api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  ({ admin } = await tenantWithAdmin(api, T));
  Object.assign(mine, await world(T, admin));
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: O, name: O } })).status).toBe(201);
  const victim = await signedInUser(api, { email: `owner@${O}.test`, tenant: O });
  Object.assign(theirs, await world(O, victim));
  // A member of one organization of T, and a second organization of T they are not in.
  member = await signedInUser(api, { email: `member@${T}.test`, tenant: T });
  await ok(T, 'POST', `/v1/orgs/${mine.org}/members`, { userId: member.id, role: 'admin' });
}, 180_000);

describe('GraphQL isolation', () => {
  it("another tenant's ids: every id-taking query and mutation refuses (or lists nothing of theirs)", async () => {
    const attempts = await attack(admin, theirs);
    const successes = attempts.filter((a) => a.outcome.startsWith('SUCCESS') && !KNOWN_GAPS.includes(a.field));
    console.log(`cross-tenant: ${attempts.length} operations, ${attempts.filter((a) => /^40[34]/.test(a.outcome)).length} refused 403/404, ${attempts.filter((a) => a.outcome === 'empty').length} empty lists, ${successes.length} successes, known gap: ${attempts.filter((a) => KNOWN_GAPS.includes(a.field)).map((a) => `${a.field} ${a.outcome}`).join(', ')}`);
    expect(successes, attempts.map((a) => `${a.field}: ${a.outcome}`).join('\n')).toEqual([]);
    expect(attempts.length).toBeGreaterThan(60);
    // The other tenant's objects are all still there, unchanged.
    expect((await api.rest('GET', `/v1/orgs/${theirs.org}`, { tenant: O })).body.name).toBe(`Org 2 of ${O}`);
    expect((await api.rest('GET', `/v1/users/${theirs.user}`, { tenant: O })).body.disabled).toBe(false);
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${theirs.endpoint}`, { tenant: O })).status).toBe(200);
  });

  it("another organization's ids: an organization admin gets nothing of an organization they are not in", async () => {
    const other = await world(T, admin);
    const attempts = await attack(member, other, (arg) => ['orgId', 'organizationId', 'teamId', 'parentId'].includes(arg));
    const successes = attempts.filter((a) => a.outcome.startsWith('SUCCESS'));
    expect(successes, attempts.map((a) => `${a.field}: ${a.outcome}`).join('\n')).toEqual([]);
    // ...while their own organization answers.
    const own = await gql(api, `{ orgsGet(orgId: "${mine.org}") { id } orgsListMembers(orgId: "${mine.org}") { nodes { userId } } }`, { token: member.token });
    expect(own.errors).toBeUndefined();
    expect(own.data.orgsGet.id).toBe(mine.org);
  });

  it("node ids: one's own objects come back as their get operation answers; another tenant's and forged ones are 404", async () => {
    const nodeId = (type: string, ...keys: string[]) => Buffer.from([type, ...keys].join(':')).toString('base64url');
    const own = await gql(api, `{ orgsGet(orgId: "${mine.org}") { nodeId id name } }`, { token: admin.token });
    const viaNode = await gql(api, `query($id: ID!) { node(nodeId: $id) { __typename nodeId ... on Organization { id name } } }`, { token: admin.token, variables: { id: own.data.orgsGet.nodeId } });
    expect(viaNode.data.node).toEqual({ __typename: 'Organization', ...own.data.orgsGet });
    const team = await gql(api, `query($id: ID!) { node(nodeId: $id) { __typename ... on Team { id organizationId } } }`, { token: admin.token, variables: { id: nodeId('Team', mine.org!, mine.team!) } });
    expect(team.data.node).toEqual({ __typename: 'Team', id: mine.team, organizationId: mine.org });

    const foreign: [string, string[]][] = [
      ['Organization', [theirs.org!]],
      ['Team', [theirs.org!, theirs.team!]],
      ['Team', [mine.org!, theirs.team!]],
      ['User', [theirs.user!]],
      ['Invitation', [theirs.invitation!]],
      ['Policy', [theirs.policy!]],
      ['WebhookEndpoint', [theirs.endpoint!]],
      ['WebhookMessage', [theirs.message!]],
      ['AuditEvent', [theirs.auditEvent!]],
    ];
    for (const [type, keys] of foreign) {
      const res = await gql(api, `query($id: ID!) { node(nodeId: $id) { nodeId } }`, { token: admin.token, variables: { id: nodeId(type, ...keys) } });
      const error = onlyError(res);
      expect(error.extensions.status, `${type}: ${error.extensions.code}`).toBe(404);
      expect(res.data.node).toBeNull();
    }
    for (const forged of ['not-a-node-id', nodeId('Nope', mine.org!), nodeId('Team', mine.org!), nodeId('User', 'x'.repeat(300))]) {
      const res = await gql(api, `query($id: ID!) { node(nodeId: $id) { nodeId } }`, { token: admin.token, variables: { id: forged } });
      expect([404, 400], forged).toContain(onlyError(res).extensions.status);
    }
  });
});
