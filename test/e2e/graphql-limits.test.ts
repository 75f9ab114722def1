import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { gql, onlyError, tenantWithAdmin } from './graphql.support';

/**
 * The attacks GraphQL invites, each refused before anything runs, with a Plinto error code and a
 * 4xx — never a 5xx: nesting past the depth limit, a query costing more than allowed, a thousand
 * aliases, a hundred operations in one request, an oversized document, a slow operation, and
 * introspection (or schema hints) in production.
 */
let api: TestApi;
const T = 'gql-limits';
let admin: SignedInUser;
let orgId: string;

beforeAll(async () => {
  // Depth and cost lowered so that valid queries of this schema can reach them; the others are the defaults.
  api = await startTestApi({ GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_COST: '300' });
  ({ admin } = await tenantWithAdmin(api, T));
  orgId = (await api.rest('POST', '/v1/orgs', { token: admin.token, body: { name: 'Limits' } })).body.id;
}, 120_000);

const orgName = async () => (await api.rest('GET', `/v1/orgs/${orgId}`, { token: admin.token })).body.name as string;

/** A refusal: HTTP 4xx (never 5xx), errors that are all 400s with `code` (or `also`), and no data. */
function refused(res: Awaited<ReturnType<typeof gql>>, code: string, also: string[] = []) {
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.errors?.length, JSON.stringify(res.body).slice(0, 500)).toBeGreaterThan(0);
  for (const error of res.errors!) expect([code, ...also], error.message).toContain(error.extensions.code);
  for (const error of res.errors!) expect(error.extensions.status).toBe(400);
  expect(res.data ?? null).toBeNull();
  return res.errors!.find((e) => e.extensions.code === code)!;
}

describe('GraphQL limits', () => {
  it('a mutation nested past the depth limit is refused before it runs', async () => {
    const res = await gql(api, `mutation { orgsUpdate(orgId: "${orgId}", name: "Deep") { members { edges { node { user { id } } } } } }`, { token: admin.token });
    const error = refused(res, 'GRAPHQL_DEPTH_LIMIT');
    expect(error.message).toMatch(/depth limit of 5/);
    expect(await orgName()).toBe('Limits');
    // Within the limit, the same change runs.
    const ok = await gql(api, `mutation { orgsUpdate(orgId: "${orgId}", name: "Shallow") { name } }`, { token: admin.token });
    expect(ok.data).toEqual({ orgsUpdate: { name: 'Shallow' } });
    await api.rest('PATCH', `/v1/orgs/${orgId}`, { token: admin.token, body: { name: 'Limits' } });
  });

  it('a query whose estimated cost exceeds the limit is refused before it runs', async () => {
    const wide = Array.from({ length: 12 }, (_, i) => `u${i}: usersList(first: 100) { edges { node { id email displayName createdAt updatedAt } } }`).join(' ');
    const error = refused(await gql(api, `{ ${wide} }`, { token: admin.token }), 'GRAPHQL_COST_LIMIT');
    expect(error.message).toMatch(/Cost limit of 300/);
  });

  it('1,000 aliases are refused', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ');
    // (They also cost more than this api's lowered limit: both refusals are reported.)
    const error = refused(await gql(api, `{ ${aliases} }`, { token: admin.token }), 'GRAPHQL_ALIAS_LIMIT', ['GRAPHQL_COST_LIMIT']);
    expect(error.message).toMatch(/Aliases limit of 15 exceeded, found 1000/);
  });

  it('a batch of 100 operations is refused whole; a batch within the limit runs', async () => {
    const batch = Array.from({ length: 100 }, () => ({ query: `mutation { orgsUpdate(orgId: "${orgId}", name: "Batched") { name } }` }));
    const res = await gql(api, batch, { token: admin.token });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const errors = (Array.isArray(res.body) ? res.body.flatMap((r: { errors?: unknown[] }) => r.errors ?? []) : res.body.errors) as { extensions: { code: string } }[];
    expect(errors.map((e) => e.extensions.code)).toEqual(['GRAPHQL_BATCH_LIMIT']);
    expect(await orgName()).toBe('Limits');
    const small = await gql(api, [{ query: '{ tenantsCurrent { slug } }' }, { query: '{ __typename }' }], { token: admin.token });
    expect(small.body).toEqual([{ data: { tenantsCurrent: { slug: T } } }, { data: { __typename: 'Query' } }]);
  });

  it('an oversized document is refused at parsing', async () => {
    const huge = Array.from({ length: 6000 }, () => 'id').join(' ');
    refused(await gql(api, `{ usersList { nodes { ${huge} } } }`, { token: admin.token }), 'GRAPHQL_SIZE_LIMIT');
  });

  it('a malformed document and an unknown field are 400s with codes', async () => {
    refused(await gql(api, '{ usersList { ', { token: admin.token }), 'GRAPHQL_PARSE_FAILED');
    refused(await gql(api, '{ noSuchField }', { token: admin.token }), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('introspection and GraphiQL are on outside production', async () => {
    const res = await gql(api, '{ __schema { queryType { name } } }');
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
  });
});

describe('GraphQL in production', () => {
  let prod: TestApi;
  beforeAll(async () => {
    prod = await startTestApi({ NODE_ENV: 'production', PLINTO_MASTER_KEY: randomBytes(32).toString('hex') });
  }, 120_000);

  it('refuses introspection, hides schema hints and serves no GraphiQL; queries still run', async () => {
    refused(await gql(prod, '{ __schema { types { name } } }'), 'GRAPHQL_INTROSPECTION_DISABLED');
    refused(await gql(prod, '{ __type(name: "User") { fields { name } } }'), 'GRAPHQL_INTROSPECTION_DISABLED');
    const typo = refused(await gql(prod, '{ tenantsCurent { slug } }'), 'GRAPHQL_VALIDATION_FAILED');
    expect(typo.message).not.toMatch(/Did you mean/);
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    expect((await gql(prod, '{ tenantsCurrent { slug } }')).data).toEqual({ tenantsCurrent: { slug: 'default' } });
  });
});

describe('GraphQL timeouts', () => {
  let slow: TestApi;
  beforeAll(async () => {
    slow = await startTestApi({ GRAPHQL_TIMEOUT_MS: '1' });
  }, 120_000);

  it('an operation running past GRAPHQL_TIMEOUT_MS is answered GRAPHQL_TIMEOUT', async () => {
    const res = await gql(slow, '{ a: tenantsCurrent { slug } b: webhooksEventTypes { items { type } } }');
    const error = onlyError(res);
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_TIMEOUT', status: 503 });
  });
});
