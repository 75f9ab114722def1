import { procedure } from '@plinto/kernel';
import { createRole } from '../roles.service';
import { createRoleInput, roleOutput } from '../schemas';
import { TAGS } from './common';

export const createRoleProcedure = procedure
  .meta({ permission: 'roles:write', openapi: { method: 'POST', path: '/policies/roles', tags: TAGS, summary: 'Create a role (permissions, parent roles, optional organization)', protect: true }, successStatus: 201 })
  .input(createRoleInput)
  .output(roleOutput)
  .mutation(({ ctx, input }) => createRole(ctx.sc, input));
