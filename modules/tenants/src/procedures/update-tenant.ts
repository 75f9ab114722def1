import { z } from 'zod';
import { auditActor, platformAdminProcedure } from '@plinto/kernel';
import { updateTenant } from '../tenants.service';
import { tenantIdParam, tenantOutput, tenantSettingsSchema } from '../tenant.schemas';

export const updateTenantProcedure = platformAdminProcedure
  .meta({
    openapi: { method: 'PATCH', path: '/tenants/{tenantId}', tags: ['tenants'], summary: 'Update a tenant (settings merge)', protect: true },
  })
  .input(
    z.object({
      tenantId: tenantIdParam,
      name: z.string().trim().min(1).max(200).optional(),
      settings: tenantSettingsSchema.optional(),
    }),
  )
  .output(tenantOutput)
  .mutation(({ ctx, input }) => {
    const { tenantId, ...patch } = input;
    return updateTenant(ctx.em, auditActor(ctx.request, ctx.principal), tenantId, patch);
  });
