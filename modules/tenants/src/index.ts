/** @plinto/tenants — tenants (Plinto environments) and the platform operators who manage them. */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import type { z } from 'zod';
import { PlatformApiKey, PlatformOperatorSession, Tenant } from './entities/tenant.entity';
import { tenantMigrations } from './migrations';
import { TenantEvents } from './events';
import { createTenantsRouter } from './router';
import { composeTenantSettings } from './tenant.schemas';
import { createTenant, currentTenant, getTenant, listTenants, setTenantStatus, updateTenant } from './tenants.service';

export { createTenantsRouter } from './router';
export {
  createTenant,
  ensureDefaultTenant,
  findTenantById,
  findTenantBySlug,
  getTenant,
  DEFAULT_TENANT_SLUG,
} from './tenants.service';
export { authenticatePlatformKey, ensureBootstrapKey, generatePlatformKey } from './platform-keys.service';
export { authenticateOperatorSession, endOperatorSession, startOperatorSession, type OperatorSession } from './operator-sessions.service';
export { TenantErrors } from './errors';
export { TenantEvents } from './events';
export { cachedTenantById, cachedTenantBySlug, forgetTenant, originAllowedByAnyTenant } from './tenant-cache';
export { composeTenantSettings, tenantOutputOf, type TenantDto, type TenantSettings } from './tenant.schemas';

export const tenantsSchema: ModuleSchema = {
  entities: [Tenant, PlatformApiKey, PlatformOperatorSession],
  migrations: tenantMigrations,
};

/**
 * The tenants module, over the settings sections of the modules it is composed with (a tenant's
 * settings are every module's own section; each module owns and reads its own).
 */
export function tenantsModule(settingsSections: z.ZodObject[]) {
  return defineModule({
    name: 'tenants',
    routers: { tenants: createTenantsRouter(composeTenantSettings(settingsSections)) },
    schema: tenantsSchema,
    events: [TenantEvents],
    services: { createTenant, listTenants, getTenant, updateTenant, setTenantStatus, currentTenant },
  });
}
