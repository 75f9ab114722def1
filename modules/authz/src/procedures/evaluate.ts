import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { evaluate } from '../evaluate.service';
import { evaluationOutput, evaluationRequest } from '../schemas';
import { TAGS, authzDeps } from './common';

export const evaluateProcedure = protectedProcedure('policies:evaluate')
  .meta({
    openapi: { method: 'POST', path: '/policies/evaluate', tags: TAGS, summary: 'Decide { subject, action, resource, context }; answers like OPA: { result: { allow } }', protect: true },
  })
  .input(evaluationRequest)
  .output(evaluationOutput)
  .mutation(({ ctx, input }) => evaluate(authzDeps(ctx).engine, ctx.tenant, input));

/** The batch form: many decisions in one call, answered in request order. */
export const evaluateBatchProcedure = protectedProcedure('policies:evaluate')
  .meta({ openapi: { method: 'POST', path: '/policies/evaluate/batch', tags: TAGS, summary: 'Decide many requests in one call', protect: true } })
  .input(z.object({ requests: z.array(evaluationRequest).min(1).max(1000) }))
  .output(z.object({ results: z.array(evaluationOutput) }).meta({ id: 'PolicyDecisionBatch' }))
  .mutation(async ({ ctx, input }) => {
    const engine = authzDeps(ctx).engine;
    const results = [];
    for (const request of input.requests) results.push(await evaluate(engine, ctx.tenant, request));
    return { results };
  });
