import { z } from 'zod';
import { auditActor, platformAdminProcedure } from '@plinto/kernel';
import { setTenantStatus } from '../tenants.service';
import { tenantIdParam, tenantOutput } from '../tenant.schemas';

const byId = z.object({ tenantId: tenantIdParam });

export const disableTenantProcedure = platformAdminProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/tenants/{tenantId}/disable',
      tags: ['tenants'],
      summary: 'Disable a tenant: its requests are refused until it is enabled again',
      protect: true,
    },
  })
  .input(byId)
  .output(tenantOutput)
  .mutation(({ ctx, input }) => setTenantStatus(ctx.em, auditActor(ctx.request, ctx.principal), input.tenantId, 'disabled'));

export const enableTenantProcedure = platformAdminProcedure
  .meta({
    openapi: { method: 'POST', path: '/tenants/{tenantId}/enable', tags: ['tenants'], summary: 'Enable a disabled tenant', protect: true },
  })
  .input(byId)
  .output(tenantOutput)
  .mutation(({ ctx, input }) => setTenantStatus(ctx.em, auditActor(ctx.request, ctx.principal), input.tenantId, 'active'));
