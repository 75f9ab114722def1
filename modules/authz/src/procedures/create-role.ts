import { protectedProcedure } from '@plinto/kernel';
import { createRole } from '../roles.service';
import { createRoleInput, roleOutput } from '../schemas';
import { TAGS, authzDeps } from './common';

export const createRoleProcedure = protectedProcedure('roles:write')
  .meta({ openapi: { method: 'POST', path: '/policies/roles', tags: TAGS, summary: 'Create a role (permissions, parent roles, optional organization)', protect: true }, successStatus: 201 })
  .input(createRoleInput)
  .output(roleOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return createRole(ctx.em, engine, caller, input);
  });
