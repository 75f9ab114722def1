import { isUuid, type EntityManager, type InferEntity, type TenantRef } from '@plinto/kernel';
import { Tenant } from './entities/tenant.entity';

export const toTenantRef = (row: InferEntity<typeof Tenant>): TenantRef => ({ id: row.id, slug: row.slug, name: row.name, status: row.status, settings: row.settings });

export async function findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null> {
  const row = await em.findOne(Tenant, { slug }, { disableIdentityMap: true });
  return row ? toTenantRef(row) : null;
}

export async function findTenantById(em: EntityManager, id: string): Promise<TenantRef | null> {
  if (!isUuid(id)) return null;
  const row = await em.findOne(Tenant, { id }, { disableIdentityMap: true });
  return row ? toTenantRef(row) : null;
}
