import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { DEFAULT_ROLE_NAMES } from '../catalog';
import { TAGS, authzDeps } from './common';

export const listPermissionsProcedure = protectedProcedure('roles:read')
  .meta({ openapi: { method: 'GET', path: '/policies/permissions', tags: TAGS, summary: 'The permission catalog: every permission of the platform API and the default role holding it', protect: true } })
  .input(z.object({}).optional())
  .output(
    z.object({
      items: z.array(z.object({ permission: z.string(), description: z.string(), minimumRole: z.enum(DEFAULT_ROLE_NAMES) })),
    }).meta({ id: 'PermissionCatalog' }),
  )
  .query(({ ctx }) => ({ items: authzDeps(ctx).engine.catalog }));

/** The tenant's current policy version (edge caches poll it); also the protected no-op of bench/. */
export const policyVersionProcedure = protectedProcedure('policies:read')
  .meta({ openapi: { method: 'GET', path: '/policies/version', tags: TAGS, summary: "The tenant's current policy version", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ version: z.number().int() }))
  .query(async ({ ctx }) => ({ version: (await authzDeps(ctx).engine.snapshot(ctx.tenant.id)).version }));
