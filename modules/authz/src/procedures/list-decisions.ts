import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listDecisions } from '../decisions.service';
import { decisionLogEntry } from '../schemas';
import { TAGS } from './common';

export const listDecisionsProcedure = procedure
  .meta({ permission: 'decisions:read', openapi: { method: 'GET', path: '/policies/decisions', tags: TAGS, summary: 'The sampled decision log (input and outcome), newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      subject: z.string().max(200).optional(),
      allow: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only allowed (true) or denied (false) decisions'),
    }),
  )
  .output(pageOf(decisionLogEntry))
  .query(({ ctx, input }) => listDecisions(ctx.sc, input));
