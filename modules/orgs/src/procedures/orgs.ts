import { z } from 'zod';
import { auditActor, authedProcedure, CommonErrors, pageInput, pageOf } from '@plinto/kernel';
import { orgsConfig } from '../config';
import { createOrg, deleteOrg, getOrg, listOrgs, updateOrg } from '../orgs.service';
import { orgListItem, orgOutput, orgSettingsPatch, orgSlug } from '../schemas';
import { TAGS, orgProcedure } from './access';

const CREATE = 'organizations:create';
const orgName = z.string().trim().min(1).max(200);

export const createOrgProcedure = authedProcedure
  .meta({
    permission: CREATE,
    openapi: {
      method: 'POST',
      path: '/orgs',
      tags: TAGS,
      summary: 'Create an organization; a signing-in user creating it becomes its owner',
      description:
        'Any signed-in user may create an organization for themselves (unless ORGS_USERS_CAN_CREATE=false). Naming another owner (`ownerId`), or creating one with an API key, needs `organizations:create` tenant-wide.',
      protect: true,
    },
    successStatus: 201,
  })
  .input(
    z.object({
      name: orgName,
      slug: orgSlug.optional().describe('Unique in the tenant; derived from the name when absent'),
      settings: orgSettingsPatch.optional(),
      ownerId: z.uuid().optional().describe('The user who becomes owner (default: the calling user)'),
    }),
  )
  .output(orgOutput)
  .mutation(async ({ ctx, input }) => {
    const tenant = await ctx.resolveTenant();
    const { principal } = ctx;
    const isUser = principal.kind === 'user';
    const forSelf = isUser && (input.ownerId === undefined || input.ownerId === principal.id);
    const selfService = forSelf && orgsConfig(ctx.config).ORGS_USERS_CAN_CREATE;
    if (!selfService && !(await ctx.authorize({ principal, tenant, permission: CREATE })).allow) throw CommonErrors.FORBIDDEN({ details: { permission: CREATE } });
    const ownerId = input.ownerId ?? (isUser ? principal.id : null);
    return createOrg(ctx.em, auditActor(ctx.request, principal), tenant.id, { name: input.name, slug: input.slug, settings: input.settings, ownerId });
  });

export const listOrgsProcedure = authedProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/orgs',
      tags: TAGS,
      summary: "List organizations: the caller's own, or all of the tenant's for holders of organizations:read tenant-wide",
      protect: true,
    },
  })
  .input(
    z.object({
      ...pageInput,
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the name or slug'),
      mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe("Only the caller's own organizations, even for tenant-wide readers"),
    }),
  )
  .output(pageOf(orgListItem))
  .query(async ({ ctx, input }) => {
    const tenant = await ctx.resolveTenant();
    const userId = ctx.principal.kind === 'user' ? ctx.principal.id : null;
    const readsAll = !input.mine && (await ctx.authorize({ principal: ctx.principal, tenant, permission: 'organizations:read' })).allow;
    if (!readsAll && !userId) throw CommonErrors.FORBIDDEN({ details: { permission: 'organizations:read' } });
    return listOrgs(ctx.em, tenant.id, { all: readsAll, userId, limit: input.limit, cursor: input.cursor, search: input.search });
  });

export const getOrgProcedure = orgProcedure('organizations:read')
  .meta({ openapi: { method: 'GET', path: '/orgs/{orgId}', tags: TAGS, summary: 'Get an organization with its settings', protect: true } })
  .output(orgOutput)
  .query(({ ctx }) => getOrg(ctx.em, ctx.tenant.id, ctx.org.id));

export const updateOrgProcedure = orgProcedure('organizations:write')
  .meta({ openapi: { method: 'PATCH', path: '/orgs/{orgId}', tags: TAGS, summary: "Change an organization's name, slug or settings", protect: true } })
  .input(z.object({ name: orgName.optional(), slug: orgSlug.optional(), settings: orgSettingsPatch.optional() }))
  .output(orgOutput)
  .mutation(({ ctx, input }) => updateOrg(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input));

export const deleteOrgProcedure = orgProcedure('organizations:delete')
  .meta({ openapi: { method: 'DELETE', path: '/orgs/{orgId}', tags: TAGS, summary: 'Delete an organization with its memberships and teams', protect: true } })
  .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
  .mutation(({ ctx }) => deleteOrg(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id));
