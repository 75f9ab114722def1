import { procedure } from '@plinto/kernel';
import { createPolicy } from '../policies.service';
import { createPolicyInput, policyOutput } from '../schemas';
import { TAGS } from './common';

export const createPolicyProcedure = procedure
  .meta({ permission: 'policies:write', openapi: { method: 'POST', path: '/policies', tags: TAGS, summary: 'Create a policy (allow or deny, with priority and conditions)', protect: true }, successStatus: 201 })
  .input(createPolicyInput)
  .output(policyOutput)
  .mutation(({ ctx, input }) => createPolicy(ctx.sc, input));
