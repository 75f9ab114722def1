import type { TestApi } from './harness';

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  /** The bearer credential for /v1 and /trpc. */
  token: string;
}

/**
 * Signs a new user up and in over REST (the real flows) and returns its bearer credential.
 * Tests get user tokens only through here, so the shape of sign-in responses lives in one place.
 */
export async function signedInUser(api: TestApi, options: { email: string; tenant?: string; password?: string; displayName?: string }): Promise<SignedInUser> {
  const password = options.password ?? `correct horse battery ${Math.random().toString(36).slice(2, 10)}`;
  const up = await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant: options.tenant, body: { email: options.email, password, displayName: options.displayName } });
  if (up.status >= 300) throw new Error(`sign-up failed: ${up.status} ${JSON.stringify(up.body)}`);
  return signIn(api, { email: options.email, password, tenant: options.tenant });
}

/**
 * A new signed-in user of `tenant` holding the tenant role `role` (assigned by the platform key the
 * harness calls with); throws if the role does not exist or the assignment is refused.
 */
export async function signedInUserWithRole(api: TestApi, tenant: string, email: string, role: string): Promise<SignedInUser> {
  const user = await signedInUser(api, { email, tenant });
  const roles = (await api.rest('GET', '/v1/policies/roles?limit=100', { tenant })).body.items as { id: string; name: string }[];
  const roleId = roles.find((r) => r.name === role)?.id;
  if (!roleId) throw new Error(`no role ${role} in ${tenant}`);
  const assigned = await api.rest('POST', `/v1/policies/roles/${roleId}/assign`, { tenant, body: { userId: user.id } });
  if (assigned.status !== 201) throw new Error(`assigning ${role} failed: ${assigned.status} ${JSON.stringify(assigned.body)}`);
  return user;
}

/** Signs an existing user in with a password; fails the test if the user is not signed in. */
export async function signIn(api: TestApi, options: { email: string; password: string; tenant?: string }): Promise<SignedInUser> {
  const res = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant: options.tenant, body: { email: options.email, password: options.password } });
  if (res.status !== 200 || res.body.status !== 'signed_in') throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, email: options.email, password: options.password, token: bearerOf(res.body) };
}

/** The bearer credential in a sign-in (or MFA / magic-link) response: its OAuth access token. */
export function bearerOf(body: { access_token: string }): string {
  return body.access_token;
}
