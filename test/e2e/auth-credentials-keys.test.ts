import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { authenticateApiKey } from '@plinto/auth';
import { engineOf } from '@plinto/authz';
import { auditOf, credentialsWorld, type CredentialsWorld } from './auth-credentials-setup';

/**
 * API keys over HTTP against the real api: shown once and stored hashed, accepted on /v1 and
 * /trpc with exactly their role's permissions, scoped to their tenant (and organization), refused
 * once revoked or expired, and never stronger than their creator.
 */
let w: CredentialsWorld;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
let ORG: string;

beforeAll(async () => {
  w = await credentialsWorld('creds-keys');
  const org = await w.rest('POST', '/v1/orgs', { body: { name: 'Key Org' } });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  ORG = org.body.id;
});

async function createKey(body: Record<string, unknown>, token = w.users.owner.token) {
  const res = await w.rest('POST', '/v1/api-keys', { body, token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; key: string; prefix: string; status: string; role: string };
}

async function trpcFailure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<any>).data as { code: string; httpStatus: number };
}

describe('creating an API key', () => {
  it('shows the key once (201) and stores only its SHA-256; the audit event has no secret', async () => {
    const created = await createKey({ name: 'CI deploys', role: 'member' });
    expect(created).toMatchObject({ name: 'CI deploys', role: 'member', organizationId: null, status: 'active', expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(created.key).toMatch(/^pak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect(created).toMatchObject({ createdBy: { type: 'user', id: w.users.owner.id } });

    const [row] = await w.sql(`select * from api_keys where id = $1`, [created.id]);
    expect(row.secret_hash).toBe(sha256(created.key));
    const secretPart = created.key.slice(created.prefix.length + 1);
    expect(JSON.stringify(row)).not.toContain(secretPart);
    const [event] = await auditOf(w, 'api_key.created', created.id);
    expect(event).toMatchObject({ actor_type: 'user', actor_id: w.users.owner.id, outcome: 'success' });
    expect(event.data).toMatchObject({ name: 'CI deploys', prefix: created.prefix, role: 'member' });
    expect(JSON.stringify(event)).not.toContain(secretPart);
    const [outbox] = await w.sql(`select payload from outbox where payload->>'eventId' = $1`, [event.id]);
    expect(outbox).toBeDefined();
    expect(JSON.stringify(outbox)).not.toContain(secretPart);
  });

  it('refuses bad input with the field at fault (400)', async () => {
    const bad = async (body: Record<string, unknown>, path: string) => {
      const res = await w.rest('POST', '/v1/api-keys', { body: { name: 'x', role: 'member', ...body }, token: w.users.owner.token });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
    };
    await bad({ role: 'no-such-role' }, 'role');
    await bad({ role: 'Owner!' }, 'role');
    await bad({ name: '' }, 'name');
    await bad({ expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt');
    await bad({ expiresAt: new Date(Date.now() + 86_400_000).toISOString(), expiresInDays: 1 }, 'expiresInDays');
    await bad({ expiresInDays: 0 }, 'expiresInDays');
    await bad({ organizationId: 'not-a-uuid' }, 'organizationId');
  });
});

describe('using an API key', () => {
  it("acts on /v1 and /trpc with its role's permissions; a permission outside the role is 403", async () => {
    const { key, id } = await createKey({ name: 'reader', role: 'member' });
    const users = await w.rest('GET', '/v1/users?limit=10', { token: key });
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { email: string }) => u.email)).toContain(w.users.owner.email);
    const viaTrpc = await w.api.trpc({ token: key }).users.list.query({ limit: 10 });
    expect(viaTrpc.items.length).toBeGreaterThanOrEqual(3);

    // member lacks api_keys:read, policies:write and users:write.
    const listKeys = await w.rest('GET', '/v1/api-keys', { token: key });
    expect(listKeys.status).toBe(403);
    expect(listKeys.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'api_keys:read' } });
    const disable = await w.rest('POST', `/v1/users/${w.users.admin.id}/disable`, { token: key });
    expect(disable.status).toBe(403);
    expect(await trpcFailure(w.api.trpc({ token: key }).policies.list.query({ limit: 5 }))).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });

    // Last used is recorded (coarsely).
    const [row] = await w.sql(`select last_used_at from api_keys where id = $1`, [id]);
    expect(row.last_used_at).not.toBeNull();
  });

  it("an organization's key acts in its organization only, never tenant-wide", async () => {
    const { key, id } = await createKey({ name: 'org automation', role: 'admin', organizationId: ORG });
    const tenantWide = await w.rest('GET', '/v1/users?limit=5', { token: key });
    expect(tenantWide.status).toBe(403);
    expect(tenantWide.body.error.code).toBe('FORBIDDEN');

    // Inside its organization (the domain org-scoped procedures decide in), its role holds.
    const em = w.api.server.orm.em.fork();
    const principal = await authenticateApiKey(em, key);
    expect(principal).toMatchObject({ kind: 'api_key', id, tenantId: w.tenantId, attributes: { organizationId: ORG, roles: ['admin'] } });
    const tenant = { id: w.tenantId, slug: w.tenant, name: w.tenant, status: 'active' as const, settings: {} };
    const request = { requestId: 't', ip: '127.0.0.1', userAgent: null };
    const decide = (organizationId?: string) => engineOf(w.api.server).authorize({ principal: principal!, tenant, permission: 'users:write', organizationId, request });
    expect((await decide(ORG)).allow).toBe(true);
    expect((await decide(randomUUID())).allow).toBe(false);
    expect((await decide(undefined)).allow).toBe(false);
  });

  it("refuses an organization that is not one of the tenant's, and goes with its organization", async () => {
    const missing = await w.rest('POST', '/v1/api-keys', { body: { name: 'nowhere', role: 'member', organizationId: randomUUID() }, token: w.users.owner.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'CREDENTIAL_ORGANIZATION_NOT_FOUND', fields: [{ path: 'organizationId' }] });
    const doomed = await w.rest('POST', '/v1/orgs', { body: { name: 'Doomed Org' } });
    const { key } = await createKey({ name: 'doomed key', role: 'member', organizationId: doomed.body.id });
    expect((await w.rest('GET', '/v1/me', { token: key })).status).toBe(200);
    expect((await w.rest('DELETE', `/v1/orgs/${doomed.body.id}`)).status).toBe(200);
    expect((await w.rest('GET', '/v1/me', { token: key })).status).toBe(401);
  });

  it('a revoked key is 401 on /v1 and /trpc from the next request on; the rejection is audited once a minute', async () => {
    const { key, id, prefix } = await createKey({ name: 'to revoke', role: 'member' });
    expect((await w.rest('GET', '/v1/users?limit=1', { token: key })).status).toBe(200);
    const revoked = await w.rest('DELETE', `/v1/api-keys/${id}`, { token: w.users.owner.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, status: 'revoked', revokedAt: expect.any(String) });
    expect(revoked.body.key).toBeUndefined();

    const refused = await w.rest('GET', '/v1/users?limit=1', { token: key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    expect(await trpcFailure(w.api.trpc({ token: key }).users.list.query({ limit: 1 }))).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });

    expect(await auditOf(w, 'api_key.revoked', id)).toHaveLength(1);
    const rejected = await auditOf(w, 'api_key.rejected', id);
    expect(rejected).toHaveLength(1); // two refused uses within a minute: one event
    expect(rejected[0]).toMatchObject({ outcome: 'failure', actor_type: 'api_key', actor_id: id, data: { prefix, reason: 'revoked' } });

    // Revoking again changes nothing and records nothing; an unknown id is 404.
    expect((await w.rest('DELETE', `/v1/api-keys/${id}`, { token: w.users.owner.token })).status).toBe(200);
    expect(await auditOf(w, 'api_key.revoked', id)).toHaveLength(1);
    const missing = await w.rest('DELETE', `/v1/api-keys/${randomUUID()}`, { token: w.users.owner.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('API_KEY_NOT_FOUND');
  });

  it('an expired key is 401 and listed as expired', async () => {
    const { key, id } = await createKey({ name: 'short-lived', role: 'member', expiresInDays: 1 });
    expect((await w.rest('GET', '/v1/users?limit=1', { token: key })).status).toBe(200);
    // Time passes: the day is over.
    await w.sql(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [id]);
    const refused = await w.rest('GET', '/v1/users?limit=1', { token: key });
    expect(refused.status).toBe(401);
    expect((await auditOf(w, 'api_key.rejected', id))[0]?.data).toMatchObject({ reason: 'expired' });
    const listed = await w.rest('GET', '/v1/api-keys?limit=100', { token: w.users.owner.token });
    expect(listed.body.items.find((k: { id: string }) => k.id === id)).toMatchObject({ status: 'expired' });
  });

  it('a real key id with a wrong secret is 401 and audited; a mangled key is 401', async () => {
    const { key, id } = await createKey({ name: 'guessed', role: 'member' });
    const wrong = key.slice(0, -2) + (key.endsWith('AA') ? 'BB' : 'AA');
    expect((await w.rest('GET', '/v1/users?limit=1', { token: wrong })).status).toBe(401);
    expect((await auditOf(w, 'api_key.rejected', id))[0]?.data).toMatchObject({ reason: 'secret_mismatch' });
    expect((await w.rest('GET', '/v1/users?limit=1', { token: `${key}x` })).status).toBe(401);
    expect((await w.rest('GET', '/v1/users?limit=1', { token: 'pak_0123456789abcdef_' + 'A'.repeat(43) })).status).toBe(401);
    // The real key still works.
    expect((await w.rest('GET', '/v1/users?limit=1', { token: key })).status).toBe(200);
  });
});

describe('nobody creates a key stronger than themselves', () => {
  it('refuses a role carrying permissions the creator lacks (403 PERMISSION_NOT_HELD), and stores nothing', async () => {
    const before = await w.sql(`select count(*)::int as n from api_keys`);
    for (const role of ['admin', 'owner', 'member']) {
      const res = await w.rest('POST', '/v1/api-keys', { body: { name: 'escalate', role }, token: w.users.mallory.token });
      expect(res.status, role).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'PERMISSION_NOT_HELD', fields: [{ path: 'role' }] });
    }
    expect((await w.sql(`select count(*)::int as n from api_keys`))[0].n).toBe(before[0].n);
    // Her own role she may hand to a key.
    await createKey({ name: 'her own', role: 'key-manager' }, w.users.mallory.token);
  });

  it('a key cannot mint a stronger key either', async () => {
    const { key } = await createKey({ name: 'key-making key', role: 'key-manager' });
    const res = await w.rest('POST', '/v1/api-keys', { body: { name: 'stronger', role: 'admin' }, token: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('PERMISSION_NOT_HELD');
    const same = await w.rest('POST', '/v1/api-keys', { body: { name: 'same', role: 'key-manager' }, token: key });
    expect(same.status).toBe(201);
    expect(same.body.createdBy).toMatchObject({ type: 'api_key' });
  });

  it('an admin, who lacks api_keys:write, cannot create keys at all (403 FORBIDDEN) but may list them', async () => {
    const res = await w.rest('POST', '/v1/api-keys', { body: { name: 'nope', role: 'viewer' }, token: w.users.admin.token });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'api_keys:write' } });
    expect((await w.rest('GET', '/v1/api-keys', { token: w.users.admin.token })).status).toBe(200);
  });
});

describe('tenancy', () => {
  it("another tenant's key acts only on its own tenant: X-Plinto-Tenant is ignored", async () => {
    const other = await w.rest('POST', '/v1/tenants', { body: { slug: 'creds-keys-other', name: 'Other' } });
    expect(other.status).toBe(201);
    const foreign = await w.rest('POST', '/v1/api-keys', { body: { name: 'foreign', role: 'owner' }, tenant: 'creds-keys-other' });
    expect(foreign.status).toBe(201);
    const mine = await createKey({ name: 'target', role: 'member' });

    const users = await w.rest('GET', '/v1/users?limit=100', { token: foreign.body.key, tenant: w.tenant });
    expect(users.status).toBe(200);
    expect(users.body.items).toEqual([]); // the other tenant has no users; ours are not visible
    const keys = await w.rest('GET', '/v1/api-keys?limit=100', { token: foreign.body.key, tenant: w.tenant });
    expect(keys.body.items.map((k: { id: string }) => k.id)).toEqual([foreign.body.id]);
    const revoke = await w.rest('DELETE', `/v1/api-keys/${mine.id}`, { token: foreign.body.key, tenant: w.tenant });
    expect(revoke.status).toBe(404);
    expect((await w.rest('GET', '/v1/users?limit=1', { token: mine.key })).status).toBe(200);
  });
});

describe('listing keys', () => {
  it('paginates newest first and never shows a secret', async () => {
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) secrets.push((await createKey({ name: `page ${i}`, role: 'viewer' })).key);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await w.rest('GET', `/v1/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: w.users.owner.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const secret of secrets) expect(JSON.stringify(res.body)).not.toContain(secret.slice(-43));
      for (const item of res.body.items) expect(Object.keys(item)).not.toContain('key');
      seen.push(...res.body.items.map((k: { id: string }) => k.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
    const orgOnly = await w.rest('GET', `/v1/api-keys?organizationId=${ORG}`, { token: w.users.owner.token });
    expect(orgOnly.body.items.every((k: { organizationId: string }) => k.organizationId === ORG)).toBe(true);
    expect(orgOnly.body.items.length).toBeGreaterThanOrEqual(1);
  });
});
