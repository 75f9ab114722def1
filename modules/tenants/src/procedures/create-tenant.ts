import { z } from 'zod';
import { auditActor, platformAdminProcedure } from '@plinto/kernel';
import { createTenant } from '../tenants.service';
import { tenantOutput, tenantSettingsSchema, tenantSlug } from '../tenant.schemas';

export const createTenantProcedure = platformAdminProcedure
  .meta({
    openapi: { method: 'POST', path: '/tenants', tags: ['tenants'], summary: 'Create a tenant', protect: true },
    successStatus: 201,
  })
  .input(
    z.object({
      slug: tenantSlug,
      name: z.string().trim().min(1).max(200),
      settings: tenantSettingsSchema.optional(),
    }),
  )
  .output(tenantOutput)
  .mutation(({ ctx, input }) => createTenant(ctx.em, auditActor(ctx.request, ctx.principal), input));
