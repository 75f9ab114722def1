import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { addTeamMember, listTeamMembers, removeTeamMember } from '../team-members.service';
import { orgIdParam, teamIdParam, teamMemberOutput, userIdParam } from '../schemas';
import { TAGS } from './tags';

const byTeam = z.object({ orgId: orgIdParam, teamId: teamIdParam });

export const listTeamMembersProcedure = procedure
  .meta({ permission: 'teams:read', openapi: { method: 'GET', path: '/orgs/{orgId}/teams/{teamId}/members', tags: TAGS, summary: "List a team's members, newest first", protect: true } })
  .input(byTeam.extend({ ...pageInput, search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name') }))
  .output(pageOf(teamMemberOutput))
  .query(({ ctx, input: { orgId, teamId, ...query } }) => listTeamMembers(ctx.sc, orgId, teamId, query));

export const addTeamMemberProcedure = procedure
  .meta({ permission: 'teams:write', openapi: { method: 'POST', path: '/orgs/{orgId}/teams/{teamId}/members', tags: TAGS, summary: 'Add a member of the organization to a team', protect: true }, successStatus: 201 })
  .input(byTeam.extend({ userId: z.uuid() }))
  .output(teamMemberOutput)
  .mutation(({ ctx, input }) => addTeamMember(ctx.sc, input.orgId, input.teamId, input.userId));

export const removeTeamMemberProcedure = procedure
  .meta({ permission: 'teams:write', openapi: { method: 'DELETE', path: '/orgs/{orgId}/teams/{teamId}/members/{userId}', tags: TAGS, summary: 'Remove a member from a team', protect: true } })
  .input(byTeam.extend({ userId: userIdParam }))
  .output(teamMemberOutput)
  .mutation(({ ctx, input }) => removeTeamMember(ctx.sc, input.orgId, input.teamId, input.userId));
