/** @plinto/tenants — tenants (Plinto environments) and the platform operators who manage them. */
import type { ModuleSchema } from '@plinto/kernel';
import { PlatformApiKey, Tenant } from './entities/tenant.entity';
import { tenantMigrations } from './migrations';
import './events';

export { tenantsRouter } from './router';
export {
  createTenant,
  ensureDefaultTenant,
  findTenantById,
  findTenantBySlug,
  getTenant,
  DEFAULT_TENANT_SLUG,
} from './tenants.service';
export { authenticatePlatformKey, ensureBootstrapKey, generatePlatformKey } from './platform-keys.service';
export { TenantErrors } from './errors';
export { cachedTenantById, cachedTenantBySlug, forgetTenant } from './tenant-cache';
export { tenantOutput, tenantSettingsSchema, type TenantDto, type TenantSettings } from './tenant.schemas';

export const tenantsSchema: ModuleSchema = {
  entities: [Tenant, PlatformApiKey],
  migrations: tenantMigrations,
};
