import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { getPolicy } from '../policies.service';
import { policyOutput } from '../schemas';
import { TAGS } from './common';

export const getPolicyProcedure = protectedProcedure('policies:read')
  .meta({ openapi: { method: 'GET', path: '/policies/{id}', tags: TAGS, summary: 'Get a policy', protect: true } })
  .input(z.object({ id: z.uuid() }))
  .output(policyOutput)
  .query(({ ctx, input }) => getPolicy(ctx.em, ctx.tenant.id, input.id));
