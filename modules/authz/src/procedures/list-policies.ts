import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listPolicies } from '../policies.service';
import { policyOutput, subjectPattern } from '../schemas';
import { TAGS } from './common';

export const listPoliciesProcedure = procedure
  .meta({ permission: 'policies:read', openapi: { method: 'GET', path: '/policies', tags: TAGS, summary: 'List policies, newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      organizationId: z.uuid().optional().describe('Only the policies of this organization'),
      subject: subjectPattern.optional().describe('Only the policies naming this subject'),
    }),
  )
  .output(pageOf(policyOutput))
  .query(({ ctx, input }) => listPolicies(ctx.sc, input));
