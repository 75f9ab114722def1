import { protectedProcedure } from '@plinto/kernel';
import { createPolicy } from '../policies.service';
import { createPolicyInput, policyOutput } from '../schemas';
import { TAGS, authzDeps } from './common';

export const createPolicyProcedure = protectedProcedure('policies:write')
  .meta({ openapi: { method: 'POST', path: '/policies', tags: TAGS, summary: 'Create a policy (allow or deny, with priority and conditions)', protect: true }, successStatus: 201 })
  .input(createPolicyInput)
  .output(policyOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return createPolicy(ctx.em, engine, caller, input);
  });
