import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from '../teams.service';
import { orgIdParam, teamIdParam, teamName, teamOutput, teamRoles } from '../schemas';
import { TAGS } from './tags';

const description = z.string().trim().max(2000).nullable();
const byOrg = z.object({ orgId: orgIdParam });
const byTeam = byOrg.extend({ teamId: teamIdParam });

export const listTeamsProcedure = procedure
  .meta({ permission: 'teams:read', openapi: { method: 'GET', path: '/orgs/{orgId}/teams', tags: TAGS, summary: "List the organization's teams, newest first", protect: true } })
  .input(byOrg.extend({ ...pageInput, parentId: z.uuid().optional().describe('Only the sub-teams of this team') }))
  .output(pageOf(teamOutput))
  .query(({ ctx, input: { orgId, ...query } }) => listTeams(ctx.sc, orgId, query));

export const createTeamProcedure = procedure
  .meta({ permission: 'teams:write', openapi: { method: 'POST', path: '/orgs/{orgId}/teams', tags: TAGS, summary: 'Create a team, optionally under a parent team', protect: true }, successStatus: 201 })
  .input(
    byOrg.extend({
      name: teamName,
      description: description.optional(),
      parentId: z.uuid().nullable().optional().describe('The parent team; its roles then apply to this team'),
      roles: teamRoles.optional().describe('Roles every member of the team (and of its sub-teams) holds in the organization'),
    }),
  )
  .output(teamOutput)
  .mutation(({ ctx, input: { orgId, ...team } }) => createTeam(ctx.sc, orgId, team));

export const getTeamProcedure = procedure
  .meta({ permission: 'teams:read', openapi: { method: 'GET', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Get a team', protect: true } })
  .input(byTeam)
  .output(teamOutput)
  .query(({ ctx, input }) => getTeam(ctx.sc, input.orgId, input.teamId));

export const updateTeamProcedure = procedure
  .meta({ permission: 'teams:write', openapi: { method: 'PATCH', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Rename a team, move it under another parent (or to the top), or change its roles', protect: true } })
  .input(
    byTeam.extend({
      name: teamName.optional(),
      description: description.optional(),
      parentId: z.uuid().nullable().optional().describe('Move under this team; null moves it to the top level'),
      roles: teamRoles.optional().describe("Replaces the team's roles"),
    }),
  )
  .output(teamOutput)
  .mutation(({ ctx, input: { orgId, teamId, ...patch } }) => updateTeam(ctx.sc, orgId, teamId, patch));

export const deleteTeamProcedure = procedure
  .meta({ permission: 'teams:write', openapi: { method: 'DELETE', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Delete a team; its sub-teams move up to its parent', protect: true } })
  .input(byTeam)
  .output(teamOutput)
  .mutation(({ ctx, input }) => deleteTeam(ctx.sc, input.orgId, input.teamId));
