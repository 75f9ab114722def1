import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { machineClientPrincipal, verifyClientSecret } from '@plinto/auth';
import { callerAs } from '../src/authz';
import { auditOf, credentialsWorld, type CredentialsWorld } from './auth-credentials-setup';

/**
 * Machine clients over HTTP against the real api (create, list, revoke), and the client
 * authentication the token endpoint relies on (`verifyClientSecret`), attacked with wrong
 * secrets, a revoked client and another tenant.
 */
let w: CredentialsWorld;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

beforeAll(async () => {
  w = await credentialsWorld('creds-clients');
});

async function createClient(body: Record<string, unknown>, token = w.users.owner.token) {
  const res = await w.rest('POST', '/v1/clients', { body, token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; clientId: string; clientSecret: string; roles: string[]; scopes: string[] };
}

const verify = (tenantId: string, clientId: string, secret: string) => verifyClientSecret(w.api.server.orm.em.fork(), tenantId, clientId, secret);

describe('creating and listing machine clients', () => {
  it('shows the secret once (201), stores only its SHA-256, lists without secrets', async () => {
    const created = await createClient({ name: 'billing worker', roles: ['member'], scopes: ['invoices:read', 'openid'] });
    expect(created).toMatchObject({ name: 'billing worker', roles: ['member'], scopes: ['invoices:read', 'openid'], organizationId: null, status: 'active' });
    expect(created.clientId).toMatch(/^cli_[0-9a-f]{16}$/);
    expect(created.clientSecret).toMatch(/^pcs_[A-Za-z0-9_-]{43}$/);
    const [row] = await w.sql(`select * from machine_clients where id = $1`, [created.id]);
    expect(row.secret_hash).toBe(sha256(created.clientSecret));
    expect(JSON.stringify(row)).not.toContain(created.clientSecret.slice(4));
    const [event] = await auditOf(w, 'machine_client.created', created.id);
    expect(event).toMatchObject({ actor_type: 'user', actor_id: w.users.owner.id, data: { clientId: created.clientId, roles: ['member'] } });
    expect(JSON.stringify(event)).not.toContain(created.clientSecret.slice(4));

    await createClient({ name: 'second', roles: [] });
    await createClient({ name: 'third', roles: ['viewer'] });
    const first = await w.rest('GET', '/v1/clients?limit=2', { token: w.users.owner.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await w.rest('GET', `/v1/clients?limit=2&cursor=${first.body.nextCursor}`, { token: w.users.owner.token });
    expect(second.body.items.map((c: { id: string }) => c.id)).toContain(created.id);
    for (const page of [first.body, second.body]) {
      expect(JSON.stringify(page)).not.toContain(created.clientSecret.slice(4));
      for (const item of page.items) expect(Object.keys(item)).not.toContain('clientSecret');
    }
    // Listing needs clients:read (admin has it; a member key does not).
    expect((await w.rest('GET', '/v1/clients', { token: w.users.admin.token })).status).toBe(200);
  });

  it('refuses bad input with the field at fault', async () => {
    const bad = async (body: Record<string, unknown>, path: string, code = 'VALIDATION_FAILED', status = 400) => {
      const res = await w.rest('POST', '/v1/clients', { body: { name: 'x', ...body }, token: w.users.owner.token });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
    };
    await bad({ scopes: ['has space'] }, 'scopes.0');
    await bad({ scopes: ['ok', 'quote"d'] }, 'scopes.1');
    await bad({ roles: ['viewer', 'ghost'] }, 'roles.1');
    await bad({ name: ' ' }, 'name');
  });

  it('nobody creates a client stronger than themselves (403 PERMISSION_NOT_HELD, nothing stored)', async () => {
    const before = await w.sql(`select count(*)::int as n from machine_clients`);
    const res = await w.rest('POST', '/v1/clients', { body: { name: 'escalate', roles: ['key-manager', 'admin'] }, token: w.users.mallory.token });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'PERMISSION_NOT_HELD', fields: [{ path: 'roles.1' }] });
    expect((await w.sql(`select count(*)::int as n from machine_clients`))[0].n).toBe(before[0].n);
    await createClient({ name: 'her own', roles: ['key-manager'] }, w.users.mallory.token);
    const admin = await w.rest('POST', '/v1/clients', { body: { name: 'admin tries', roles: [] }, token: w.users.admin.token });
    expect(admin.status).toBe(403);
    expect(admin.body.error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'clients:write' } });
  });
});

describe('client authentication (verifyClientSecret)', () => {
  it('accepts the right secret and returns the client with its roles and scopes', async () => {
    const c = await createClient({ name: 'auth me', roles: ['member'], scopes: ['a', 'b'] });
    const ref = await verify(w.tenantId, c.clientId, c.clientSecret);
    expect(ref).toEqual({ id: c.id, clientId: c.clientId, tenantId: w.tenantId, name: 'auth me', roles: ['member'], organizationId: null, scopes: ['a', 'b'] });
    const [row] = await w.sql(`select last_used_at from machine_clients where id = $1`, [c.id]);
    expect(row.last_used_at).not.toBeNull();
  });

  it('refuses a wrong secret (audited once a minute), another tenant, and junk', async () => {
    const c = await createClient({ name: 'attacked', roles: ['member'] });
    const other = await w.rest('POST', '/v1/tenants', { body: { slug: 'creds-clients-other', name: 'Other' } });
    expect(await verify(w.tenantId, c.clientId, `${c.clientSecret.slice(0, -1)}${c.clientSecret.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await verify(w.tenantId, c.clientId, '')).toBeNull();
    expect(await verify(other.body.id, c.clientId, c.clientSecret)).toBeNull();
    expect(await verify(w.tenantId, 'cli_0000000000000000', c.clientSecret)).toBeNull();
    expect(await verify('not-a-uuid', c.clientId, c.clientSecret)).toBeNull();
    const failures = await auditOf(w, 'machine_client.authentication_failed', c.id);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ outcome: 'failure', actor_type: 'machine_client', actor_id: c.id, data: { clientId: c.clientId, reason: 'secret_mismatch' } });
    // The right secret still works.
    expect(await verify(w.tenantId, c.clientId, c.clientSecret)).not.toBeNull();
  });

  it('refuses a revoked client; DELETE is idempotent and scoped to the tenant', async () => {
    const c = await createClient({ name: 'retired', roles: [] });
    const foreignKey = await w.rest('POST', '/v1/api-keys', { body: { name: 'foreign', role: 'owner' }, tenant: 'creds-clients-other' });
    expect(foreignKey.status).toBe(201);
    const foreign = await w.rest('DELETE', `/v1/clients/${c.id}`, { token: foreignKey.body.key, tenant: w.tenant });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('MACHINE_CLIENT_NOT_FOUND');
    expect(await verify(w.tenantId, c.clientId, c.clientSecret)).not.toBeNull();

    const revoked = await w.rest('DELETE', `/v1/clients/${c.id}`, { token: w.users.owner.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: c.id, status: 'revoked', revokedAt: expect.any(String) });
    expect(await verify(w.tenantId, c.clientId, c.clientSecret)).toBeNull();
    expect((await auditOf(w, 'machine_client.authentication_failed', c.id))[0]?.data).toMatchObject({ reason: 'revoked' });
    expect((await w.rest('DELETE', `/v1/clients/${c.id}`, { token: w.users.owner.token })).status).toBe(200);
    expect(await auditOf(w, 'machine_client.revoked', c.id)).toHaveLength(1);
    expect((await w.rest('DELETE', `/v1/clients/${randomUUID()}`, { token: w.users.owner.token })).status).toBe(404);
  });
});

describe('a machine client principal', () => {
  it("acts with its roles through the real middleware: allowed inside them, 403 outside", async () => {
    const c = await createClient({ name: 'acting', roles: ['member'] });
    const ref = (await verify(w.tenantId, c.clientId, c.clientSecret))!;
    const principal = machineClientPrincipal(ref);
    expect(principal).toMatchObject({ kind: 'machine_client', id: c.id, tenantId: w.tenantId, attributes: { roles: ['member'], clientId: c.clientId } });
    const caller = await callerAs(w.api, principal).call();
    expect((await caller.users.list({ limit: 5 })).items.length).toBeGreaterThanOrEqual(3);
    await expect(caller.apiKeys.list({ limit: 5 })).rejects.toMatchObject({ appCode: 'FORBIDDEN', status: 403 });
    await expect(caller.clients.create({ name: 'x', roles: [], scopes: [] })).rejects.toMatchObject({ appCode: 'FORBIDDEN' });

    const bare = await createClient({ name: 'no roles', roles: [] });
    const bareCaller = await callerAs(w.api, machineClientPrincipal((await verify(w.tenantId, bare.clientId, bare.clientSecret))!)).call();
    await expect(bareCaller.users.list({ limit: 5 })).rejects.toMatchObject({ appCode: 'FORBIDDEN' });
  });
});
