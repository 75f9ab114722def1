import { protectedProcedure } from '@plinto/kernel';
import { assignRole, unassignRole } from '../roles.service';
import { assignmentInput, assignmentOutput } from '../schemas';
import { TAGS, authzDeps } from './common';

export const assignRoleProcedure = protectedProcedure('roles:assign')
  .meta({ openapi: { method: 'POST', path: '/policies/roles/{id}/assign', tags: TAGS, summary: 'Assign a role to a user (in an organization, or tenant-wide)', protect: true }, successStatus: 201 })
  .input(assignmentInput)
  .output(assignmentOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return assignRole(ctx.em, engine, caller, input);
  });

export const unassignRoleProcedure = protectedProcedure('roles:assign')
  .meta({ openapi: { method: 'DELETE', path: '/policies/roles/{id}/unassign', tags: TAGS, summary: 'Take a role away from a user', protect: true } })
  .input(assignmentInput)
  .output(assignmentOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return unassignRole(ctx.em, engine, caller, input);
  });
