import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { evaluate, evaluateBatch } from '../evaluate.service';
import { evaluationOutput, evaluationRequest } from '../schemas';
import { TAGS } from './common';

export const evaluateProcedure = procedure
  .meta({
    permission: 'policies:evaluate',
    openapi: { method: 'POST', path: '/policies/evaluate', tags: TAGS, summary: 'Decide { subject, action, resource, context }; answers like OPA: { result: { allow } }', protect: true },
  })
  .input(evaluationRequest)
  .output(evaluationOutput)
  .mutation(({ ctx, input }) => evaluate(ctx.sc, input));

/** The batch form: many decisions in one call, answered in request order. */
export const evaluateBatchProcedure = procedure
  .meta({ permission: 'policies:evaluate', openapi: { method: 'POST', path: '/policies/evaluate/batch', tags: TAGS, summary: 'Decide many requests in one call', protect: true } })
  .input(z.object({ requests: z.array(evaluationRequest).min(1).max(1000) }))
  .output(z.object({ results: z.array(evaluationOutput) }).meta({ id: 'PolicyDecisionBatch' }))
  .mutation(({ ctx, input }) => evaluateBatch(ctx.sc, input.requests));
