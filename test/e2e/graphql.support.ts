import { expect } from 'vitest';
import { signedInUser, type SignedInUser, type TestApi } from '../src';

/** A GraphQL response as a client sees it: the HTTP status and the body. */
export interface GqlResponse<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: (string | number)[]; extensions: { code: string; status: number; fields?: { path: string; message: string }[]; requestId?: string } }[];
  body: any;
}

/** POSTs one operation (or a batch when `body` is an array) to /graphql with plain fetch. */
export async function gql<T = any>(
  api: TestApi,
  query: string | unknown[],
  options: { variables?: Record<string, unknown>; token?: string | null; tenant?: string; operationName?: string } = {},
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.tenant) headers['x-plinto-tenant'] = options.tenant;
  const body = Array.isArray(query) ? query : { query, variables: options.variables, operationName: options.operationName };
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, data: parsed?.data, errors: parsed?.errors, body: parsed };
}

/** The one error of a refused operation. */
export function onlyError(res: GqlResponse) {
  expect(res.errors, JSON.stringify(res.body)).toHaveLength(1);
  return res.errors![0]!;
}

/** A tenant with an admin (the tenant role `admin`), made by the platform operator over REST. */
export async function tenantWithAdmin(api: TestApi, tenant: string): Promise<{ tenantId: string; admin: SignedInUser }> {
  const created = await api.rest('POST', '/v1/tenants', { tenant, body: { slug: tenant, name: tenant } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const admin = await signedInUser(api, { email: `admin@${tenant}.test`, tenant, displayName: 'Admin' });
  const roles = (await api.rest('GET', '/v1/policies/roles?limit=100', { tenant })).body.items as { id: string; name: string }[];
  const assigned = await api.rest('POST', `/v1/policies/roles/${roles.find((r) => r.name === 'admin')!.id}/assign`, { tenant, body: { userId: admin.id } });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
  return { tenantId: created.body.id, admin };
}
