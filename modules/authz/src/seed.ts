import { recordEvent, uuidv7, SYSTEM_ACTOR, type EntityManager } from '@plinto/kernel';
import { MikroOrmCasbinAdapter } from './adapter';
import { catalogHash, defaultRoles, type PermissionSpec } from './catalog';
import { roleLines } from './engine/lines';
import { roleSource } from './engine/model';
import { AuthzEvents } from './events';

interface StateRow {
  version: string | number;
  catalog_hash: string | null;
}

/**
 * Makes sure the tenant has its authorization state and default roles matching the current
 * catalog. Runs lazily on a tenant's first decision or policy call, so existing tenants, new ones
 * and catalog changes (a new protected procedure) are all covered without a hook on tenant
 * creation. Race-safe: a per-tenant advisory lock and a re-check inside the transaction.
 * Returns true when it changed something (the caller then re-reads the version).
 */
export async function ensureTenantSeeded(em: EntityManager, tenantId: string, catalog: PermissionSpec[]): Promise<boolean> {
  const roles = defaultRoles(catalog);
  const hash = catalogHash(roles);
  const current: StateRow[] = await em.execute('select version, catalog_hash from authz_tenant_state where tenant_id = ?', [tenantId]);
  if (current[0]?.catalog_hash === hash) return false;
  return em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtext('plinto.authz.seed:' || ?))`, [tenantId]);
    const exists: { id: string }[] = await tx.execute('select id from tenants where id = ?', [tenantId]);
    if (exists.length === 0) return false;
    await tx.execute('insert into authz_tenant_state (tenant_id) values (?) on conflict (tenant_id) do nothing', [tenantId]);
    const [state] = (await tx.execute('select version, catalog_hash from authz_tenant_state where tenant_id = ? for update', [tenantId])) as StateRow[];
    if (state?.catalog_hash === hash) return false;
    const adapter = new MikroOrmCasbinAdapter(tx, tenantId);
    const now = new Date();
    const changed: string[] = [];
    for (const role of roles) {
      const found: { id: string; permissions: string[]; parents: string[] }[] = await tx.execute(
        'select id, permissions, parents from authz_roles where tenant_id = ? and organization_id is null and name = ?',
        [tenantId, role.name],
      );
      const existing = found[0];
      // Seeding only ever adds: during a rolling deploy, processes with an older catalog must not
      // take back what a newer one granted (and the two must not re-seed each other in turn).
      const permissions = [...new Set([...(existing?.permissions ?? []), ...role.permissions])].sort();
      if (existing && permissions.length === existing.permissions.length && JSON.stringify(existing.parents) === JSON.stringify(role.parents)) continue;
      changed.push(role.name);
      const id = existing?.id ?? uuidv7(now.getTime());
      if (existing) {
        await tx.execute('update authz_roles set permissions = ?, parents = ?, builtin = true, description = ?, updated_at = ? where id = ?', [
          JSON.stringify(permissions),
          JSON.stringify(role.parents),
          role.description,
          now,
          id,
        ]);
        await adapter.removeFilteredPolicy('p', 'p', 6, roleSource(id));
        await adapter.removeFilteredPolicy('g', 'g', 0, `role:${role.name}`, '', '*');
      } else {
        await tx.execute(
          'insert into authz_roles (id, tenant_id, name, description, permissions, parents, organization_id, builtin, created_at, updated_at) values (?, ?, ?, ?, ?, ?, null, true, ?, ?)',
          [id, tenantId, role.name, role.description, JSON.stringify(permissions), JSON.stringify(role.parents), now, now],
        );
      }
      const lines = roleLines({ id, name: role.name, permissions, parents: role.parents, organizationId: null });
      await adapter.addPolicies('p', 'p', lines.policy);
      await adapter.addPolicies('g', 'g', lines.grouping);
    }
    if (changed.length === 0) {
      await tx.execute('update authz_tenant_state set catalog_hash = ? where tenant_id = ?', [hash, tenantId]);
      return false;
    }
    await tx.execute('update authz_tenant_state set catalog_hash = ?, version = version + 1, updated_at = now() where tenant_id = ?', [hash, tenantId]);
    recordEvent(tx, SYSTEM_ACTOR, AuthzEvents.of('authz.default_roles_seeded', {
      tenantId,
      target: { type: 'tenant', id: tenantId },
      data: { catalogHash: hash, roles: changed },
    }));
    await tx.flush();
    return true;
  });
}
