import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSchemas, createOrm, kernelSchema, sha256, type MikroORM } from '@plinto/kernel';
import { dropTestDatabases, operatorContext, testConfig } from '@plinto/kernel/testing';
import { authenticatePlatformKey, createTenant, ensureBootstrapKey, ensureDefaultTenant, tenantsSchema } from '@plinto/tenants';

let orm: MikroORM;
let config: Awaited<ReturnType<typeof testConfig>>;
beforeAll(async () => {
  config = await testConfig();
  orm = await createOrm(config, composeSchemas([kernelSchema, tenantsSchema]));
});

const asOperator = () => operatorContext({ em: orm.em.fork(), config, tenant: { id: '00000000-0000-7000-8000-000000000000', slug: 'default', name: 'Default', status: 'active', settings: {} } });
afterAll(async () => {
  await orm.close();
  await dropTestDatabases();
});

const count = async (sql: string, params: unknown[] = []) => (await orm.em.fork().execute<{ n: number }[]>(sql, params))[0]!.n;

describe('tenant bootstrap', () => {
  it('creates the default tenant once, even when several processes boot at the same time', async () => {
    await Promise.all(Array.from({ length: 5 }, () => ensureDefaultTenant(orm.em.fork())));
    expect(await count(`select count(*)::int as n from tenants where slug = 'default'`)).toBe(1);
    expect(await count(`select count(*)::int as n from audit_events where action = 'tenant.created'`)).toBe(1);
  });

  it('generates a platform key once when none is configured, and never again', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureBootstrapKey(orm.em.fork(), undefined)));
    const generated = results.filter((key): key is string => key !== null);
    expect(generated).toHaveLength(1);
    expect(generated[0]).toMatch(/^plk_[A-Za-z0-9_-]{43}$/);
    expect(await ensureBootstrapKey(orm.em.fork(), undefined)).toBeNull();
    const principal = await authenticatePlatformKey(orm.em.fork(), generated[0]!);
    expect(principal).toMatchObject({ kind: 'platform_operator', tenantId: null });
    // Only a hash is stored.
    expect(await count(`select count(*)::int as n from platform_api_keys where key_hash = ?`, [generated[0]])).toBe(0);
  });

  it('makes PLINTO_BOOTSTRAP_API_KEY a working key', async () => {
    const key = 'automation-key-0123456789abcdefghij';
    expect(await authenticatePlatformKey(orm.em.fork(), key)).toBeNull();
    await ensureBootstrapKey(orm.em.fork(), key);
    await ensureBootstrapKey(orm.em.fork(), key);
    expect(await authenticatePlatformKey(orm.em.fork(), key)).toMatchObject({ kind: 'platform_operator' });
  });

  it('keeps a revoked PLINTO_BOOTSTRAP_API_KEY revoked at the next start (an operator revoked it: it may have leaked)', async () => {
    const key = 'automation-key-revoked-0123456789abcdef';
    await ensureBootstrapKey(orm.em.fork(), key);
    await orm.em.fork().getConnection().execute('update platform_api_keys set revoked_at = now() where key_hash = ?', [sha256(key)]);
    // Other live keys exist (the tests above): nothing is generated, nothing revived.
    expect(await ensureBootstrapKey(orm.em.fork(), key)).toBeNull();
    expect(await authenticatePlatformKey(orm.em.fork(), key)).toBeNull();
  });
});

describe('tenant changes on the event spine', () => {
  it('write exactly one audit event and one outbox row in the same transaction; a refused change writes none', async () => {
    const before = await count('select count(*)::int as n from outbox');
    const tenant = await createTenant(asOperator(), { slug: 'spine', name: 'Spine' });
    expect(await count(`select count(*)::int as n from audit_events where target_id = ?`, [tenant.id])).toBe(1);
    expect(await count('select count(*)::int as n from outbox')).toBe(before + 1);
    await expect(createTenant(asOperator(), { slug: 'spine', name: 'Again' })).rejects.toMatchObject({ appCode: 'TENANT_SLUG_TAKEN' });
    expect(await count('select count(*)::int as n from outbox')).toBe(before + 1);
    expect(await count(`select count(*)::int as n from audit_events where action = 'tenant.created' and data->>'slug' = 'spine'`)).toBe(1);
  });
});
