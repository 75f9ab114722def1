import { z } from 'zod';
import { auditActor, pageInput, pageOf } from '@plinto/kernel';
import { addTeamMember, listTeamMembers, removeTeamMember } from '../team-members.service';
import { effectiveTeamRoles, loadTeam } from '../teams.service';
import { teamIdParam, teamMemberOutput, userIdParam } from '../schemas';
import { TAGS, assertCanConfer, orgProcedure } from './access';

export const listTeamMembersProcedure = orgProcedure('teams:read')
  .meta({ openapi: { method: 'GET', path: '/orgs/{orgId}/teams/{teamId}/members', tags: TAGS, summary: "List a team's members, newest first", protect: true } })
  .input(z.object({ ...pageInput, teamId: teamIdParam, search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name') }))
  .output(pageOf(teamMemberOutput))
  .query(({ ctx, input }) => listTeamMembers(ctx.em, ctx.org.id, input.teamId, input));

/** Joining or leaving a team gives or takes the team's roles (and its parents'): the caller must hold them. */
async function assertCanChangeTeamAccess(ctx: Parameters<typeof assertCanConfer>[0] & { org: { id: string } }, teamId: string) {
  await loadTeam(ctx.em, ctx.org.id, teamId);
  await assertCanConfer(ctx, ctx.org.id, await effectiveTeamRoles(ctx.em, ctx.org.id, teamId), 'teamId');
}

export const addTeamMemberProcedure = orgProcedure('teams:write')
  .meta({ openapi: { method: 'POST', path: '/orgs/{orgId}/teams/{teamId}/members', tags: TAGS, summary: 'Add a member of the organization to a team', protect: true }, successStatus: 201 })
  .input(z.object({ teamId: teamIdParam, userId: z.uuid() }))
  .output(teamMemberOutput)
  .mutation(async ({ ctx, input }) => {
    await assertCanChangeTeamAccess(ctx, input.teamId);
    return addTeamMember(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input.teamId, input.userId);
  });

export const removeTeamMemberProcedure = orgProcedure('teams:write')
  .meta({ openapi: { method: 'DELETE', path: '/orgs/{orgId}/teams/{teamId}/members/{userId}', tags: TAGS, summary: 'Remove a member from a team', protect: true } })
  .input(z.object({ teamId: teamIdParam, userId: userIdParam }))
  .output(teamMemberOutput)
  .mutation(async ({ ctx, input }) => {
    await assertCanChangeTeamAccess(ctx, input.teamId);
    return removeTeamMember(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input.teamId, input.userId);
  });
