import { z } from 'zod';
import { auditActor, pageInput, pageOf } from '@plinto/kernel';
import { createTeam, deleteTeam, effectiveTeamRoles, getTeam, listTeams, loadTeam, updateTeam } from '../teams.service';
import { teamIdParam, teamName, teamOutput, teamRoles } from '../schemas';
import { TAGS, assertCanConfer, assertRolesExist, orgProcedure } from './access';

const description = z.string().trim().max(2000).nullable();

export const listTeamsProcedure = orgProcedure('teams:read')
  .meta({ openapi: { method: 'GET', path: '/orgs/{orgId}/teams', tags: TAGS, summary: "List the organization's teams, newest first", protect: true } })
  .input(z.object({ ...pageInput, parentId: z.uuid().optional().describe('Only the sub-teams of this team') }))
  .output(pageOf(teamOutput))
  .query(({ ctx, input }) => listTeams(ctx.em, ctx.org.id, input));

export const createTeamProcedure = orgProcedure('teams:write')
  .meta({ openapi: { method: 'POST', path: '/orgs/{orgId}/teams', tags: TAGS, summary: 'Create a team, optionally under a parent team', protect: true }, successStatus: 201 })
  .input(
    z.object({
      name: teamName,
      description: description.optional(),
      parentId: z.uuid().nullable().optional().describe('The parent team; its roles then apply to this team'),
      roles: teamRoles.optional().describe('Roles every member of the team (and of its sub-teams) holds in the organization'),
    }),
  )
  .output(teamOutput)
  .mutation(async ({ ctx, input }) => {
    await assertRolesExist(ctx, ctx.org.id, input.roles ?? [], 'roles');
    await assertCanConfer(ctx, ctx.org.id, input.roles ?? [], 'roles');
    return createTeam(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input);
  });

export const getTeamProcedure = orgProcedure('teams:read')
  .meta({ openapi: { method: 'GET', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Get a team', protect: true } })
  .input(z.object({ teamId: teamIdParam }))
  .output(teamOutput)
  .query(({ ctx, input }) => getTeam(ctx.em, ctx.org.id, input.teamId));

export const updateTeamProcedure = orgProcedure('teams:write')
  .meta({ openapi: { method: 'PATCH', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Rename a team, move it under another parent (or to the top), or change its roles', protect: true } })
  .input(
    z.object({
      teamId: teamIdParam,
      name: teamName.optional(),
      description: description.optional(),
      parentId: z.uuid().nullable().optional().describe('Move under this team; null moves it to the top level'),
      roles: teamRoles.optional().describe("Replaces the team's roles"),
    }),
  )
  .output(teamOutput)
  .mutation(async ({ ctx, input }) => {
    const { teamId, ...patch } = input;
    const team = await loadTeam(ctx.em, ctx.org.id, teamId);
    await assertRolesExist(ctx, ctx.org.id, patch.roles ?? [], 'roles');
    // What members would gain or lose: changed team roles, and the roles of the old and new parents.
    const changed = patch.roles ? [...patch.roles.filter((r) => !team.roles.includes(r)), ...team.roles.filter((r) => !patch.roles!.includes(r))] : [];
    const moving = patch.parentId !== undefined && patch.parentId !== (team.parentId ?? null);
    const viaParents = moving ? [...(await effectiveTeamRoles(ctx.em, ctx.org.id, team.parentId ?? null)), ...(await effectiveTeamRoles(ctx.em, ctx.org.id, patch.parentId ?? null))] : [];
    await assertCanConfer(ctx, ctx.org.id, changed, 'roles');
    await assertCanConfer(ctx, ctx.org.id, viaParents, 'parentId');
    return updateTeam(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, teamId, patch);
  });

export const deleteTeamProcedure = orgProcedure('teams:write')
  .meta({ openapi: { method: 'DELETE', path: '/orgs/{orgId}/teams/{teamId}', tags: TAGS, summary: 'Delete a team; its sub-teams move up to its parent', protect: true } })
  .input(z.object({ teamId: teamIdParam }))
  .output(teamOutput)
  .mutation(async ({ ctx, input }) => {
    await loadTeam(ctx.em, ctx.org.id, input.teamId);
    await assertCanConfer(ctx, ctx.org.id, await effectiveTeamRoles(ctx.em, ctx.org.id, input.teamId), 'teamId');
    return deleteTeam(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, ctx.org.id, input.teamId);
  });
