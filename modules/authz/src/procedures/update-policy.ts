import { procedure } from '@plinto/kernel';
import { updatePolicy } from '../policies.service';
import { policyOutput, updatePolicyInput } from '../schemas';
import { TAGS } from './common';

export const updatePolicyProcedure = procedure
  .meta({ permission: 'policies:write', openapi: { method: 'PATCH', path: '/policies/{id}', tags: TAGS, summary: 'Change a policy (given fields replace the stored ones)', protect: true } })
  .input(updatePolicyInput)
  .output(policyOutput)
  .mutation(({ ctx, input }) => updatePolicy(ctx.sc, input));
