import { expect } from 'vitest';
import type { TestApi } from '../src';
import { sql } from './auth-helpers';

export { sql };

/** REST as a bearer (a user's token, or the platform key naming a tenant). */
export const as = (api: TestApi, token: string | null, tenant?: string) => (method: string, path: string, body?: unknown) =>
  api.rest(method, path, { body, token, tenant });

/**
 * REST as the platform operator in `tenant`: server-side provisioning, the one caller besides
 * tenant owners who receives invitation links (and tokens) in the answer instead of only by email.
 */
export const provisioner = (api: TestApi, tenant: string) => (method: string, path: string, body?: unknown) => api.rest(method, path, { body, tenant });

/** An organization created by `owner` (who becomes its owner) through the orgs REST API. */
export async function createOrg(api: TestApi, ownerToken: string, input: { slug: string; name: string; settings?: Record<string, unknown> }) {
  const res = await api.rest('POST', '/v1/orgs', { token: ownerToken, body: input });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; slug: string };
}

export async function addMember(api: TestApi, token: string, orgId: string, userId: string, role: string) {
  const res = await api.rest('POST', `/v1/orgs/${orgId}/members`, { token, body: { userId, role } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

export async function members(api: TestApi, orgId: string) {
  return sql<{ user_id: string; role: string; via: string }>(api, 'select user_id, role, via from organization_members where organization_id = $1', [orgId]);
}

export async function invitationRow(api: TestApi, id: string) {
  const [row] = await sql(api, 'select * from invitations where id = $1', [id]);
  return row;
}

export async function actionsFor(api: TestApi, targetId: string): Promise<string[]> {
  return (await sql<{ action: string }>(api, 'select action from audit_events where target_id = $1 order by id', [targetId])).map((r) => r.action);
}

/** The `?token=` of an accept link. */
export const tokenOf = (link: string | URL) => new URL(String(link)).searchParams.get('token')!;
