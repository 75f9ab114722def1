import { z } from 'zod';
import { tenantProcedure } from '@plinto/kernel';

/** What an unauthenticated client may learn of the tenant it addresses (X-Plinto-Tenant). */
export const currentTenantProcedure = tenantProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/tenant',
      tags: ['tenants'],
      summary: 'The tenant this request addresses (credential, X-Plinto-Tenant header, or default)',
      protect: false,
    },
  })
  .input(z.object({}).optional())
  .output(z.object({ id: z.uuid(), slug: z.string(), name: z.string() }).meta({ id: 'TenantPublic' }))
  .query(({ ctx }) => ({ id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name }));
