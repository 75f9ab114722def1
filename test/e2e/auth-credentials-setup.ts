import { expect } from 'vitest';
import { signedInUser, startTestApi, type SignedInUser, type TestApi } from '../src';
import { sql } from './auth-helpers';

/**
 * One tenant with real signed-in users holding real roles, for the API key and machine client
 * tests: `owner` (owner), `admin` (admin: may read keys, may not create them) and `mallory`
 * (`key-manager`: may manage keys and clients but holds nothing else, so she could only escalate).
 */
export interface CredentialsWorld {
  api: TestApi;
  tenant: string;
  tenantId: string;
  users: Record<'owner' | 'admin' | 'mallory', SignedInUser>;
  /** A REST call in the tenant, as `token` (the platform key when absent). */
  rest(method: string, path: string, options?: { body?: unknown; token?: string | null; tenant?: string }): ReturnType<TestApi['rest']>;
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
}

export const KEY_MANAGER_PERMISSIONS = ['api_keys:read', 'api_keys:write', 'clients:read', 'clients:write'];

export async function credentialsWorld(tenant: string): Promise<CredentialsWorld> {
  const api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const rest: CredentialsWorld['rest'] = (method, path, options = {}) => api.rest(method, path, { tenant, ...options });
  const created = await rest('POST', '/v1/tenants', { body: { slug: tenant, name: tenant } });
  expect(created.status).toBe(201);
  expect((await rest('POST', '/v1/policies/roles', { body: { name: 'key-manager', permissions: KEY_MANAGER_PERMISSIONS } })).status).toBe(201);
  const roles = await rest('GET', '/v1/policies/roles?limit=100');
  const roleId = (name: string) => roles.body.items.find((r: { name: string }) => r.name === name).id as string;
  const users = {} as CredentialsWorld['users'];
  for (const [who, role] of [['owner', 'owner'], ['admin', 'admin'], ['mallory', 'key-manager']] as const) {
    users[who] = await signedInUser(api, { email: `${who}@${tenant}.test`, tenant, password: `correct horse battery ${who.length} staple` });
    expect((await rest('POST', `/v1/policies/roles/${roleId(role)}/assign`, { body: { userId: users[who].id } })).status).toBe(201);
  }
  return { api, tenant, tenantId: created.body.id, users, rest, sql: (text, params) => sql(api, text, params) };
}

/** The audit events of `action` on `targetId`, oldest first. */
export const auditOf = (world: CredentialsWorld, action: string, targetId: string) =>
  world.sql(`select * from audit_events where action = $1 and target_id = $2 order by occurred_at`, [action, targetId]);
