import { z } from 'zod';
import { accessTokenShape } from '@plinto/auth';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { activateOrg, addMember, changeMemberRole, leaveOrg, listMembers, removeMember } from '../members.service';
import { memberOutput, orgIdParam, roleName, userIdParam } from '../schemas';
import { TAGS } from './tags';

const byOrg = z.object({ orgId: orgIdParam });

export const listMembersProcedure = procedure
  .meta({ permission: 'members:read', openapi: { method: 'GET', path: '/orgs/{orgId}/members', tags: TAGS, summary: 'List members, newest first', protect: true } })
  .input(
    byOrg.extend({
      ...pageInput,
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name'),
      role: roleName.optional().describe('Only members with this role'),
    }),
  )
  .output(pageOf(memberOutput))
  .query(({ ctx, input: { orgId, ...query } }) => listMembers(ctx.sc, orgId, query));

export const addMemberProcedure = procedure
  .meta({ permission: 'members:write', openapi: { method: 'POST', path: '/orgs/{orgId}/members', tags: TAGS, summary: 'Add an existing user of the tenant as a member', protect: true }, successStatus: 201 })
  .input(
    byOrg.extend({
      userId: z.uuid(),
      role: roleName.optional().describe("Default: the organization's defaultRole"),
      teamIds: z.array(z.uuid()).max(50).optional().describe('Teams of this organization the member joins'),
    }),
  )
  .output(memberOutput)
  .mutation(({ ctx, input: { orgId, ...member } }) => addMember(ctx.sc, orgId, member));

export const updateMemberProcedure = procedure
  .meta({ permission: 'members:write', openapi: { method: 'PATCH', path: '/orgs/{orgId}/members/{userId}', tags: TAGS, summary: "Change a member's role (the last owner cannot be demoted)", protect: true } })
  .input(byOrg.extend({ userId: userIdParam, role: roleName }))
  .output(memberOutput)
  .mutation(({ ctx, input }) => changeMemberRole(ctx.sc, input.orgId, input.userId, input.role));

export const removeMemberProcedure = procedure
  .meta({ permission: 'members:write', openapi: { method: 'DELETE', path: '/orgs/{orgId}/members/{userId}', tags: TAGS, summary: 'Remove a member (and from its teams); not the last owner', protect: true } })
  .input(byOrg.extend({ userId: userIdParam }))
  .output(memberOutput)
  .mutation(({ ctx, input }) => removeMember(ctx.sc, input.orgId, input.userId));

export const leaveOrgProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'POST', path: '/orgs/{orgId}/leave', tags: TAGS, summary: 'Leave an organization (the calling user; not its last owner)', protect: true } })
  .input(byOrg)
  .output(memberOutput)
  .mutation(({ ctx, input }) => leaveOrg(ctx.sc, input.orgId));

export const activateOrgProcedure = procedure
  .meta({ permission: 'organizations:read', openapi: { method: 'POST', path: '/orgs/{orgId}/activate', tags: TAGS, summary: "Make this organization the session's active one: a new access token carrying org_id and org_role", protect: true } })
  .input(byOrg)
  .output(z.object(accessTokenShape))
  .mutation(({ ctx, input }) => activateOrg(ctx.sc, input.orgId));
