import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { getPolicy } from '../policies.service';
import { policyOutput } from '../schemas';
import { TAGS } from './common';

export const getPolicyProcedure = procedure
  .meta({ permission: 'policies:read', openapi: { method: 'GET', path: '/policies/{id}', tags: TAGS, summary: 'Get a policy', protect: true } })
  .input(z.object({ id: z.uuid() }))
  .output(policyOutput)
  .query(({ ctx, input }) => getPolicy(ctx.sc, input.id));
