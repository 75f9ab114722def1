import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { createOrg, deleteOrg, getOrg, listOrgs, listUserOrgs, updateOrg } from '../orgs.service';
import { orgIdParam, orgListItem, orgOutput, orgSettingsPatch, orgSlug } from '../schemas';
import { TAGS } from './tags';

const orgName = z.string().trim().min(1).max(200);

export const createOrgProcedure = procedure
  .meta({
    permission: 'organizations:create',
    openapi: {
      method: 'POST',
      path: '/orgs',
      tags: TAGS,
      summary: 'Create an organization; a signing-in user creating it becomes its owner',
      description:
        "Any signed-in user may create an organization for themselves while the tenant allows it (its `usersCanCreateOrganizations` setting, default ORGS_USERS_CAN_CREATE). Naming another owner (`ownerId`), or creating one with an API key, needs `organizations:create` tenant-wide.",
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
  .mutation(({ ctx, input }) => createOrg(ctx.sc, input));

export const listOrgsProcedure = procedure
  .meta({
    access: 'self',
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
  .query(({ ctx, input }) => listOrgs(ctx.sc, input));

export const listUserOrgsProcedure = procedure
  .meta({
    permission: 'organizations:read',
    openapi: { method: 'GET', path: '/users/{userId}/organizations', tags: TAGS, summary: "The organizations a user belongs to, with the user's role in each", protect: true },
  })
  .input(z.object({ userId: z.string().min(1).max(64).describe('The user id'), ...pageInput }))
  .output(pageOf(orgListItem))
  .query(({ ctx, input: { userId, ...page } }) => listUserOrgs(ctx.sc, userId, page));

const byOrg = z.object({ orgId: orgIdParam });

export const getOrgProcedure = procedure
  .meta({ permission: 'organizations:read', openapi: { method: 'GET', path: '/orgs/{orgId}', tags: TAGS, summary: 'Get an organization with its settings', protect: true } })
  .input(byOrg)
  .output(orgOutput)
  .query(({ ctx, input }) => getOrg(ctx.sc, input.orgId));

export const updateOrgProcedure = procedure
  .meta({ permission: 'organizations:write', openapi: { method: 'PATCH', path: '/orgs/{orgId}', tags: TAGS, summary: "Change an organization's name, slug or settings", protect: true } })
  .input(byOrg.extend({ name: orgName.optional(), slug: orgSlug.optional(), settings: orgSettingsPatch.optional() }))
  .output(orgOutput)
  .mutation(({ ctx, input: { orgId, ...patch } }) => updateOrg(ctx.sc, orgId, patch));

export const deleteOrgProcedure = procedure
  .meta({ permission: 'organizations:delete', openapi: { method: 'DELETE', path: '/orgs/{orgId}', tags: TAGS, summary: 'Delete an organization with its memberships and teams', protect: true } })
  .input(byOrg)
  .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteOrg(ctx.sc, input.orgId));
