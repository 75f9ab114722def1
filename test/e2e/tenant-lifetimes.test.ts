import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUserWithRole, startTestApi, type SignedInUser, type TestApi } from '../src';

/**
 * Per-tenant session and token lifetimes (`accessTokenTtlSeconds`, `sessionTtlHours`): owner-only
 * settings, validated naming the field, honoured by sign-in, refresh and the session row — for
 * that tenant only — and never longer than the installation's AUTH_* values.
 */
const A = 'life-a';
const B = 'life-b';
let api: TestApi;
let ownerA: SignedInUser;
let adminA: SignedInUser;

const userWithRole = (tenant: string, email: string, role: string) => signedInUserWithRole(api, tenant, email, role);

const patch = (user: SignedInUser, settings: Record<string, unknown>, tenant = A) => api.rest('PATCH', '/v1/tenant/settings', { token: user.token, tenant, body: { settings } });

/** A JWT's claims, read without verifying (the api verified it when it answered). */
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number; sid: string };

async function signInFresh(tenant: string) {
  const email = `u-${Math.random().toString(36).slice(2, 8)}@${tenant}.test`;
  const password = 'correct horse battery staple 42';
  expect((await api.rest('POST', '/v1/auth/sign-up', { token: null, tenant, body: { email, password } })).status).toBeLessThan(300);
  const res = await api.rest('POST', '/v1/auth/sign-in', { token: null, tenant, body: { email, password } });
  expect(res.body.status, JSON.stringify(res.body)).toBe('signed_in');
  return res.body as { access_token: string; refresh_token: string; expires_in: number; session_id: string };
}

const sessionExpiry = async (sessionId: string) => {
  const [row] = (await api.server.orm.em.fork().getConnection().execute('select created_at, expires_at from sessions where id = ?', [sessionId])) as { created_at: Date; expires_at: Date }[];
  return (new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()) / 3_600_000;
};

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', AUTH_ACCESS_TOKEN_TTL_SECONDS: '600', AUTH_SESSION_TTL_HOURS: '336' });
  for (const slug of [A, B]) expect((await api.rest('POST', '/v1/tenants', { body: { slug, name: `${slug} Inc` } })).status).toBe(201);
  ownerA = await userWithRole(A, 'owner@life-a.test', 'owner');
  adminA = await userWithRole(A, 'admin@life-a.test', 'admin');
}, 120_000);

describe('per-tenant lifetimes', () => {
  it('are owner-only and validated, naming the field', async () => {
    const refused = await patch(adminA, { accessTokenTtlSeconds: 60 });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'settings:secure' } });
    for (const [settings, field] of [
      [{ accessTokenTtlSeconds: 10 }, 'settings.accessTokenTtlSeconds'],
      [{ accessTokenTtlSeconds: 90.5 }, 'settings.accessTokenTtlSeconds'],
      [{ sessionTtlHours: 0 }, 'settings.sessionTtlHours'],
    ] as const) {
      const bad = await patch(ownerA, settings);
      expect(bad.status, JSON.stringify(settings)).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
    }
  });

  it("a 60 s access token and a 2 h session in one tenant; the other keeps the installation's", async () => {
    const ok = await patch(ownerA, { accessTokenTtlSeconds: 60, sessionTtlHours: 2 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);

    const a = await signInFresh(A);
    const claims = claimsOf(a.access_token);
    expect(claims.exp - claims.iat).toBe(60);
    expect(a.expires_in).toBe(60);
    expect(await sessionExpiry(a.session_id)).toBeCloseTo(2, 3);
    // Refreshing keeps the tenant's lifetime.
    const refreshed = await fetch(`${api.url}/t/${A}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: a.refresh_token }) });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; expires_in: number };
    expect(claimsOf(next.access_token).exp - claimsOf(next.access_token).iat).toBe(60);
    expect(next.expires_in).toBe(60);
    // The token works: the lifetime is the only difference.
    expect((await api.rest('GET', '/v1/me', { token: a.access_token, tenant: A })).status).toBe(200);

    const b = await signInFresh(B);
    expect(claimsOf(b.access_token).exp - claimsOf(b.access_token).iat).toBe(600);
    expect(await sessionExpiry(b.session_id)).toBeCloseTo(336, 3);
  });

  it("never exceeds the installation's bounds: a longer setting is capped", async () => {
    expect((await patch(ownerA, { accessTokenTtlSeconds: 3600, sessionTtlHours: 1000 })).status).toBe(200);
    const a = await signInFresh(A);
    expect(claimsOf(a.access_token).exp - claimsOf(a.access_token).iat).toBe(600);
    expect(await sessionExpiry(a.session_id)).toBeCloseTo(336, 3);
    // null restores the installation's default.
    expect((await patch(ownerA, { accessTokenTtlSeconds: null, sessionTtlHours: null })).body.settings).not.toHaveProperty('accessTokenTtlSeconds');
  });
});
