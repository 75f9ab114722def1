import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { deletePolicy } from '../policies.service';
import { TAGS, authzDeps } from './common';

export const deletePolicyProcedure = protectedProcedure('policies:write')
  .meta({ openapi: { method: 'DELETE', path: '/policies/{id}', tags: TAGS, summary: 'Delete a policy', protect: true } })
  .input(z.object({ id: z.uuid() }))
  .output(z.object({ id: z.uuid(), deleted: z.literal(true), policyVersion: z.number().int() }))
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return deletePolicy(ctx.em, engine, caller, input.id);
  });
