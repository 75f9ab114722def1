import { z } from 'zod';
import { accessTokenShape, setActiveOrganization } from '@plinto/auth';
import { auditActor, authedProcedure, pageInput, pageOf } from '@plinto/kernel';
import { addMember, changeMemberRole, removeMember } from '../members.service';
import { getMember, listMembers } from '../queries';
import { OrgsErrors } from '../errors';
import { memberOutput, orgIdParam, roleName, userIdParam } from '../schemas';
import { assertRoleExists, findOrgRow } from '../store';
import { TAGS, assertCanConfer, orgProcedure } from './access';

export const listMembersProcedure = orgProcedure('members:read')
  .meta({ openapi: { method: 'GET', path: '/orgs/{orgId}/members', tags: TAGS, summary: 'List members, newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name'),
      role: roleName.optional().describe('Only members with this role'),
    }),
  )
  .output(pageOf(memberOutput))
  .query(({ ctx, input }) => listMembers(ctx.em, ctx.org.id, input));

export const addMemberProcedure = orgProcedure('members:write')
  .meta({ openapi: { method: 'POST', path: '/orgs/{orgId}/members', tags: TAGS, summary: 'Add an existing user of the tenant as a member', protect: true }, successStatus: 201 })
  .input(
    z.object({
      userId: z.uuid(),
      role: roleName.optional().describe("Default: the organization's defaultRole"),
      teamIds: z.array(z.uuid()).max(50).optional().describe('Teams of this organization the member joins'),
    }),
  )
  .output(memberOutput)
  .mutation(async ({ ctx, input }) => {
    const role = input.role ?? ctx.org.settings.defaultRole;
    await assertRoleExists(ctx.em, ctx.tenant.id, ctx.org.id, role, 'role');
    await assertCanConfer(ctx, ctx.org.id, [role], 'role');
    return addMember(ctx.em, { tenantId: ctx.tenant.id, organizationId: ctx.org.id, userId: input.userId, role, teamIds: input.teamIds, actor: auditActor(ctx.request, ctx.principal) });
  });

async function memberOrThrow(ctx: { em: Parameters<typeof getMember>[0] }, orgId: string, userId: string) {
  const member = await getMember(ctx.em, orgId, userId);
  if (!member) throw OrgsErrors.MEMBER_NOT_FOUND();
  return member;
}

export const updateMemberProcedure = orgProcedure('members:write')
  .meta({ openapi: { method: 'PATCH', path: '/orgs/{orgId}/members/{userId}', tags: TAGS, summary: "Change a member's role (the last owner cannot be demoted)", protect: true } })
  .input(z.object({ userId: userIdParam, role: roleName }))
  .output(memberOutput)
  .mutation(async ({ ctx, input }) => {
    const member = await memberOrThrow(ctx, ctx.org.id, input.userId);
    await assertRoleExists(ctx.em, ctx.tenant.id, ctx.org.id, input.role, 'role');
    await assertCanConfer(ctx, ctx.org.id, [member.role, input.role], 'role');
    return changeMemberRole(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input.userId, input.role);
  });

export const removeMemberProcedure = orgProcedure('members:write')
  .meta({ openapi: { method: 'DELETE', path: '/orgs/{orgId}/members/{userId}', tags: TAGS, summary: 'Remove a member (and from its teams); not the last owner', protect: true } })
  .input(z.object({ userId: userIdParam }))
  .output(memberOutput)
  .mutation(async ({ ctx, input }) => {
    const member = await memberOrThrow(ctx, ctx.org.id, input.userId);
    await assertCanConfer(ctx, ctx.org.id, [member.role], 'userId');
    return removeMember(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input.userId, 'removed');
  });

/** Any member may leave (no permission needed), except the last owner. */
export const leaveOrgProcedure = authedProcedure
  .meta({ openapi: { method: 'POST', path: '/orgs/{orgId}/leave', tags: TAGS, summary: 'Leave an organization (the calling user; not its last owner)', protect: true } })
  .input(z.object({ orgId: orgIdParam }))
  .output(memberOutput)
  .mutation(async ({ ctx, input }) => {
    const tenant = await ctx.resolveTenant();
    const org = ctx.principal.kind === 'user' ? await findOrgRow(ctx.em, tenant.id, input.orgId) : null;
    // Non-members learn nothing: the same 404 as for an organization that does not exist.
    if (!org || !(await getMember(ctx.em, org.id, ctx.principal.id))) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
    return removeMember(ctx.em, auditActor(ctx.request, ctx.principal), tenant.id, org.id, ctx.principal.id, 'left');
  });

/**
 * Makes this organization the active one of the caller's session: the answer (and every access
 * token the session's refreshes issue) carries `org_id` and the caller's `org_role`.
 */
export const activateOrgProcedure = orgProcedure('organizations:read')
  .meta({ openapi: { method: 'POST', path: '/orgs/{orgId}/activate', tags: TAGS, summary: "Make this organization the session's active one: a new access token carrying org_id and org_role", protect: true } })
  .output(z.object(accessTokenShape))
  .mutation(async ({ ctx }) => {
    const sessionId = ctx.principal.kind === 'user' ? (ctx.principal.attributes.sessionId as string | undefined) : undefined;
    if (!sessionId) throw OrgsErrors.SESSION_REQUIRED();
    const member = await getMember(ctx.em, ctx.org.id, ctx.principal.id);
    if (!member) throw OrgsErrors.MEMBER_NOT_FOUND({ message: 'Only a member can make an organization active' });
    const tokens = await setActiveOrganization(ctx.em, { tenant: ctx.tenant, userId: ctx.principal.id, sessionId, organizationId: ctx.org.id, role: member.role, actor: auditActor(ctx.request, ctx.principal) });
    if (!tokens) throw OrgsErrors.SESSION_REQUIRED();
    return tokens;
  });
