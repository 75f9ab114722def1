import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { deletePolicy } from '../policies.service';
import { TAGS } from './common';

export const deletePolicyProcedure = procedure
  .meta({ permission: 'policies:write', openapi: { method: 'DELETE', path: '/policies/{id}', tags: TAGS, summary: 'Delete a policy', protect: true } })
  .input(z.object({ id: z.uuid() }))
  .output(z.object({ id: z.uuid(), deleted: z.literal(true), policyVersion: z.number().int() }))
  .mutation(({ ctx, input }) => deletePolicy(ctx.sc, input.id));
