import { z } from 'zod';
import { pageInput, pageOf, procedure, router } from '@plinto/kernel';
import { createTenant, currentTenant, getTenant, listTenants, setTenantStatus, updateTenant } from './tenants.service';
import { tenantIdParam, tenantOutputOf, tenantSlug, tenantStatus } from './tenant.schemas';
import { settingsPatchOf, tenantSettingsServices } from './settings.service';
import { publicBranding } from './branding.service';
import { publicBrandingOutput } from './branding';

const TAGS = ['tenants'];
const byId = z.object({ tenantId: tenantIdParam });
const tenantName = z.string().trim().min(1).max(200);

/**
 * The tenants router over the installation's composed tenant settings (every module's section),
 * so the settings a tenant may hold are validated, typed and documented exactly.
 */
export function createTenantsRouter(settings: z.ZodObject) {
  const tenantOutput = tenantOutputOf(settings);
  const { getTenantSettings, updateTenantSettings } = tenantSettingsServices(settings);
  const settingsView = z.object({ settings, updatedAt: z.iso.datetime() }).meta({ id: 'TenantSettingsView' });
  return router({
    create: procedure
      .meta({ access: 'platform', openapi: { method: 'POST', path: '/tenants', tags: TAGS, summary: 'Create a tenant', protect: true }, successStatus: 201 })
      .input(z.object({ slug: tenantSlug, name: tenantName, settings: settings.optional() }))
      .output(tenantOutput)
      .mutation(({ ctx, input }) => createTenant(ctx.sc, input)),
    list: procedure
      .meta({ access: 'platform', openapi: { method: 'GET', path: '/tenants', tags: TAGS, summary: 'List tenants, newest first', protect: true } })
      .input(z.object({ ...pageInput, status: tenantStatus.optional(), search: z.string().trim().min(1).max(100).optional().describe('Substring of the slug or name') }))
      .output(pageOf(tenantOutput))
      .query(({ ctx, input }) => listTenants(ctx.sc, input)),
    get: procedure
      .meta({ access: 'platform', openapi: { method: 'GET', path: '/tenants/{tenantId}', tags: TAGS, summary: 'Get a tenant', protect: true } })
      .input(byId)
      .output(tenantOutput)
      .query(({ ctx, input }) => getTenant(ctx.sc, input.tenantId)),
    update: procedure
      .meta({ access: 'platform', openapi: { method: 'PATCH', path: '/tenants/{tenantId}', tags: TAGS, summary: 'Update a tenant (settings merge)', protect: true } })
      .input(byId.extend({ name: tenantName.optional(), settings: settings.optional() }))
      .output(tenantOutput)
      .mutation(({ ctx, input: { tenantId, ...patch } }) => updateTenant(ctx.sc, tenantId, patch)),
    disable: procedure
      .meta({
        access: 'platform',
        openapi: { method: 'POST', path: '/tenants/{tenantId}/disable', tags: TAGS, summary: 'Disable a tenant: its requests are refused until it is enabled again', protect: true },
      })
      .input(byId)
      .output(tenantOutput)
      .mutation(({ ctx, input }) => setTenantStatus(ctx.sc, input.tenantId, 'disabled')),
    enable: procedure
      .meta({ access: 'platform', openapi: { method: 'POST', path: '/tenants/{tenantId}/enable', tags: TAGS, summary: 'Enable a disabled tenant', protect: true } })
      .input(byId)
      .output(tenantOutput)
      .mutation(({ ctx, input }) => setTenantStatus(ctx.sc, input.tenantId, 'active')),
    current: procedure
      .meta({
        access: 'public',
        openapi: { method: 'GET', path: '/tenant', tags: TAGS, summary: 'The tenant this request addresses (credential, X-Plinto-Tenant header, or default)', protect: false },
      })
      .input(z.object({}).optional())
      .output(z.object({ id: z.uuid(), slug: z.string(), name: z.string() }).meta({ id: 'TenantPublic' }))
      .query(({ ctx }) => currentTenant(ctx.sc)),
    branding: procedure
      .meta({
        access: 'public',
        openapi: { method: 'GET', path: '/tenant/branding', tags: TAGS, summary: "The addressed tenant's branding of its hosted pages (public, cacheable)", protect: false },
      })
      .input(z.object({}).optional())
      .output(publicBrandingOutput)
      .query(({ ctx }) => publicBranding(ctx.sc)),
    settings: procedure
      .meta({ permission: 'settings:read', openapi: { method: 'GET', path: '/tenant/settings', tags: TAGS, summary: "Your tenant's settings (every module's section)", protect: true } })
      .input(z.object({}).optional())
      .output(settingsView)
      .query(({ ctx }) => getTenantSettings(ctx.sc)),
    updateSettings: procedure
      .meta({
        permission: 'settings:write',
        openapi: {
          method: 'PATCH',
          path: '/tenant/settings',
          tags: TAGS,
          summary: "Change your tenant's settings (merge; null restores a default). Security settings also need settings:secure",
          protect: true,
        },
      })
      .input(z.object({ settings: settingsPatchOf(settings) }))
      .output(settingsView)
      .mutation(({ ctx, input }) => updateTenantSettings(ctx.sc, input.settings)),
  });
}
