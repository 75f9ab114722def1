import { expect } from 'vitest';
import { signedInUser, type TestApi } from '../src';
import { SoftAuthenticator } from '../src/soft-authenticator';

let seq = 0;
export const uniqueEmail = (tenant: string) => `pk-${Date.now().toString(36)}-${(seq++).toString(36)}@${tenant}.test`;

/** A signed-in user of `tenant` who registered a passkey on `authenticator` over REST. */
export async function userWithPasskey(api: TestApi, tenant: string, authenticator: SoftAuthenticator, name?: string) {
  const user = await signedInUser(api, { email: uniqueEmail(tenant), tenant });
  const passkey = await registerPasskey(api, tenant, user.token, authenticator, name);
  return { ...user, passkey };
}

export async function registerPasskey(api: TestApi, tenant: string, token: string, authenticator: SoftAuthenticator, name?: string) {
  const start = await api.rest('POST', '/v1/passkeys/registration-options', { token, tenant, body: {} });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const res = await api.rest('POST', '/v1/passkeys', { token, tenant, body: { ceremonyId: start.body.ceremonyId, response: authenticator.register(start.body.options), name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; authenticator: string | null; backedUp: boolean; deviceType: string };
}

export async function signInOptions(api: TestApi, tenant: string) {
  const res = await api.rest('POST', '/v1/auth/passkey/options', { token: null, tenant, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { ceremonyId: string; options: { challenge: string; rpId: string; userVerification: string; allowCredentials?: { id: string }[] } };
}

export const passkeySignIn = (api: TestApi, tenant: string, ceremonyId: string, response: unknown) =>
  api.rest('POST', '/v1/auth/passkey', { token: null, tenant, body: { ceremonyId, response } });

/** The tenant's audit events of an action (prefix), newest first, as the platform operator sees them. */
export async function auditOf(api: TestApi, tenant: string, action: string) {
  const res = await api.rest('GET', `/v1/audit-logs?limit=100&action=${encodeURIComponent(action)}`, { tenant });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { action: string; outcome: string; data: Record<string, unknown>; target: { id: string } | null }[];
}
