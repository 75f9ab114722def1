import { procedure } from '@plinto/kernel';
import { assignRole, unassignRole } from '../roles.service';
import { assignmentInput, assignmentOutput } from '../schemas';
import { TAGS } from './common';

export const assignRoleProcedure = procedure
  .meta({ permission: 'roles:assign', openapi: { method: 'POST', path: '/policies/roles/{id}/assign', tags: TAGS, summary: 'Assign a role to a user (in an organization, or tenant-wide)', protect: true }, successStatus: 201 })
  .input(assignmentInput)
  .output(assignmentOutput)
  .mutation(({ ctx, input }) => assignRole(ctx.sc, input));

export const unassignRoleProcedure = procedure
  .meta({ permission: 'roles:assign', openapi: { method: 'DELETE', path: '/policies/roles/{id}/unassign', tags: TAGS, summary: 'Take a role away from a user', protect: true } })
  .input(assignmentInput)
  .output(assignmentOutput)
  .mutation(({ ctx, input }) => unassignRole(ctx.sc, input));
