import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { DEFAULT_ROLE_NAMES } from '../catalog';
import { listPermissions, myPermissions, policyVersion } from '../catalog.service';
import { TAGS } from './common';

export const listPermissionsProcedure = procedure
  .meta({ permission: 'roles:read', openapi: { method: 'GET', path: '/policies/permissions', tags: TAGS, summary: 'The permission catalog: every permission of the platform API and the default role holding it', protect: true } })
  .input(z.object({}).optional())
  .output(
    z.object({
      items: z.array(z.object({ permission: z.string(), description: z.string(), minimumRole: z.enum(DEFAULT_ROLE_NAMES) })),
    }).meta({ id: 'PermissionCatalog' }),
  )
  .query(({ ctx }) => listPermissions(ctx.sc));

/** The tenant's current policy version (edge caches poll it); also the protected no-op of bench/. */
export const policyVersionProcedure = procedure
  .meta({ permission: 'policies:read', openapi: { method: 'GET', path: '/policies/version', tags: TAGS, summary: "The tenant's current policy version", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ version: z.number().int() }))
  .query(({ ctx }) => policyVersion(ctx.sc));

/** The caller's own permissions (any principal, about itself): the console enables what these allow. */
export const myPermissionsProcedure = procedure
  .meta({
    access: 'self',
    openapi: {
      method: 'GET',
      path: '/policies/mine',
      tags: TAGS,
      summary: 'The Plinto permissions the caller holds',
      description: 'Tenant-wide, or in `organizationId`. A hint for user interfaces: every call is still decided by its service.',
      protect: true,
    },
  })
  .input(z.object({ organizationId: z.string().min(1).max(64).optional().describe('Answer for this organization instead of tenant-wide') }).optional())
  .output(z.object({ permissions: z.array(z.string()) }))
  .query(({ ctx, input }) => myPermissions(ctx.sc, input?.organizationId));
