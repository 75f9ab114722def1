import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { gql, tenantWithAdmin } from './graphql.support';

/**
 * Relationships load in batches (one DataLoader per request): listing members with their users and
 * teams runs the same number of SQL statements for a page of 10 as for a page of 100, counted on
 * the api's own database connection.
 */
let api: TestApi;
const T = 'gql-batching';
let admin: SignedInUser;
let orgId: string;
const MEMBERS = 100;

/** Counts the SQL statements the api sends while `work` runs (the knex behind MikroORM). */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  const knex = (api.server.orm.em.getConnection() as unknown as { getKnex(): { on(e: string, f: () => void): void; off(e: string, f: () => void): void } }).getKnex();
  let count = 0;
  const onQuery = () => {
    count += 1;
  };
  knex.on('query', onQuery);
  try {
    await work();
  } finally {
    knex.off('query', onQuery);
  }
  return count;
}

const MEMBERS_QUERY = `query Members($orgId: String!, $first: Int) {
  orgsListMembers(orgId: $orgId, first: $first) {
    edges { cursor node { userId role user { id email displayName } teams { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  ({ admin } = await tenantWithAdmin(api, T));
  const as = async (method: string, path: string, body?: unknown) => {
    const res = await api.rest(method, path, { token: admin.token, body });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  orgId = (await as('POST', '/v1/orgs', { name: 'Big Org' })).id;
  const teams = [(await as('POST', `/v1/orgs/${orgId}/teams`, { name: 'red' })).id, (await as('POST', `/v1/orgs/${orgId}/teams`, { name: 'blue' })).id];
  for (let i = 0; i < MEMBERS; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, j) => {
        const n = i + j;
        const up = await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: T, body: { email: `m${n}@${T}.test`, password: `correct horse battery ${n}-staple`, displayName: `Member ${n}` } });
        expect(up.status, JSON.stringify(up.body)).toBeLessThan(300);
      }),
    );
  }
  const users = (await as('GET', '/v1/users?limit=100&search=%40gql-batching.test')).items as { id: string; email: string }[];
  const people = users.filter((u) => u.email.startsWith('m'));
  expect(people.length).toBe(MEMBERS);
  for (let i = 0; i < people.length; i += 10) {
    await Promise.all(people.slice(i, i + 10).map((u, j) => as('POST', `/v1/orgs/${orgId}/members`, { userId: u.id, role: 'member', teamIds: [teams[(i + j) % 2]] })));
  }
}, 240_000);

describe('GraphQL relationships without N+1', () => {
  it('a page of 100 members with their users and teams costs the same statements as a page of 10', async () => {
    const run = (first: number) =>
      statementsDuring(async () => {
        const res = await gql(api, MEMBERS_QUERY, { token: admin.token, variables: { orgId, first } });
        expect(res.errors, JSON.stringify(res.body).slice(0, 500)).toBeUndefined();
        const edges = res.data.orgsListMembers.edges as { node: { userId: string; user: { id: string; email: string }; teams: { name: string }[] } }[];
        expect(edges.length).toBe(first);
        for (const { node } of edges) {
          expect(node.user.id).toBe(node.userId);
          if (node.user.email !== `admin@${T}.test`) expect(node.teams.map((t) => t.name)).toHaveLength(1);
        }
      });
    // Warm once (signing keys, tenant cache), then take the smallest of a few runs of each size:
    // anything the process does on its own in between can only add statements.
    await run(10);
    const count = async (first: number) => Math.min(await run(first), await run(first), await run(first));
    const ten = await count(10);
    const hundred = await count(100);
    console.log(`SQL statements for members + users + teams: page of 10 → ${ten}, page of 100 → ${hundred}`);
    expect(hundred).toBe(ten);
    // Per-row loading would cost at least 2 statements per member.
    expect(hundred).toBeLessThan(20);
  });

  it('the edge cursors and endCursor page through the same keyset as REST', async () => {
    const first = await gql(api, MEMBERS_QUERY, { token: admin.token, variables: { orgId, first: 60 } });
    const rest = await api.rest('GET', `/v1/orgs/${orgId}/members?limit=60`, { token: admin.token });
    expect(first.data.orgsListMembers.pageInfo).toEqual({ hasNextPage: true, endCursor: rest.body.nextCursor });
    const nextQuery = MEMBERS_QUERY.replace('$first: Int)', '$first: Int, $after: String)').replace('first: $first)', 'first: $first, after: $after)');
    const second = await gql(api, nextQuery, { token: admin.token, variables: { orgId, first: 60, after: first.data.orgsListMembers.pageInfo.endCursor } });
    const restNext = await api.rest('GET', `/v1/orgs/${orgId}/members?limit=60&cursor=${rest.body.nextCursor}`, { token: admin.token });
    expect(second.data.orgsListMembers.edges.map((e: { node: { userId: string } }) => e.node.userId)).toEqual(restNext.body.items.map((m: { userId: string }) => m.userId));
    expect(second.data.orgsListMembers.pageInfo.hasNextPage).toBe(false);
  });
});
