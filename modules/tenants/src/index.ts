/** @plinto/tenants — tenants (Plinto environments) and the platform operators who manage them. */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import type { z } from 'zod';
import { PlatformApiKey, PlatformOperatorSession, Tenant } from './entities/tenant.entity';
import { tenantMigrations } from './migrations';
import { TenantEvents } from './events';
import { createTenantsRouter } from './router';
import { composeTenantSettings } from './tenant.schemas';
import { createTenant, currentTenant, getTenant, listTenants, setTenantStatus, updateTenant } from './tenants.service';
import { tenantsTenantSettings } from './branding';
import { publicBranding } from './branding.service';
import { tenantSettingsServices } from './settings.service';
import { platformKeysRouter } from './platform-keys.router';
import { createPlatformKey, listPlatformKeys, revokePlatformKey } from './platform-keys-admin.service';

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
export { brandingOf, logoCspSource, contrastRatio, tenantsTenantSettings, type PublicBranding } from './branding';
export { mergeSettings } from './settings.service';
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
  // Its own section (branding) first, then every other module's.
  const settings = composeTenantSettings([tenantsTenantSettings, ...settingsSections]);
  const { getTenantSettings, updateTenantSettings } = tenantSettingsServices(settings);
  return defineModule({
    name: 'tenants',
    routers: { tenants: createTenantsRouter(settings), platformKeys: platformKeysRouter },
    schema: tenantsSchema,
    tenantSettings: tenantsTenantSettings,
    events: [TenantEvents],
    services: { createTenant, listTenants, getTenant, updateTenant, setTenantStatus, currentTenant, publicBranding, getTenantSettings, updateTenantSettings, listPlatformKeys, createPlatformKey, revokePlatformKey },
  });
}
