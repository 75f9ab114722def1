import { z } from 'zod';
import { platformAdminProcedure } from '@plinto/kernel';
import { getTenant } from '../tenants.service';
import { tenantIdParam, tenantOutput } from '../tenant.schemas';

export const getTenantProcedure = platformAdminProcedure
  .meta({ openapi: { method: 'GET', path: '/tenants/{tenantId}', tags: ['tenants'], summary: 'Get a tenant', protect: true } })
  .input(z.object({ tenantId: tenantIdParam }))
  .output(tenantOutput)
  .query(({ ctx, input }) => getTenant(ctx.em, input.tenantId));
