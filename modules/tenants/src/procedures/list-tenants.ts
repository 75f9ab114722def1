import { z } from 'zod';
import { pageInput, pageOf, platformAdminProcedure } from '@plinto/kernel';
import { listTenants } from '../tenants.service';
import { tenantOutput, tenantStatus } from '../tenant.schemas';

export const listTenantsProcedure = platformAdminProcedure
  .meta({ openapi: { method: 'GET', path: '/tenants', tags: ['tenants'], summary: 'List tenants, newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      status: tenantStatus.optional(),
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the slug or name'),
    }),
  )
  .output(pageOf(tenantOutput))
  .query(({ ctx, input }) => listTenants(ctx.em, input));
