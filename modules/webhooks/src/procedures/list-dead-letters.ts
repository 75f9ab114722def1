import { z } from 'zod';
import { pageInput, pageOf, protectedProcedure } from '@plinto/kernel';
import { listDeadLetters } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const listDeadLettersProcedure = protectedProcedure('webhooks:read')
  .meta({
    openapi: { method: 'GET', path: '/webhooks/dead-letters', tags: ['webhooks'], summary: 'Messages that exhausted their retries, newest first (replayable)', protect: true },
  })
  .input(z.object({ ...pageInput, endpointId: z.uuid().optional(), since: z.iso.datetime().optional().describe('Failed at or after') }))
  .output(pageOf(messageOutput))
  .query(({ ctx, input }) => listDeadLetters(ctx.em, ctx.tenant.id, input));
