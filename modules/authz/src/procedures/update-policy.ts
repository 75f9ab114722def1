import { protectedProcedure } from '@plinto/kernel';
import { updatePolicy } from '../policies.service';
import { policyOutput, updatePolicyInput } from '../schemas';
import { TAGS, authzDeps } from './common';

export const updatePolicyProcedure = protectedProcedure('policies:write')
  .meta({ openapi: { method: 'PATCH', path: '/policies/{id}', tags: TAGS, summary: 'Change a policy (given fields replace the stored ones)', protect: true } })
  .input(updatePolicyInput)
  .output(policyOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return updatePolicy(ctx.em, engine, caller, input);
  });
