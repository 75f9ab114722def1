import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listDeadLetters } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const listDeadLettersProcedure = procedure
  .meta({
    permission: 'webhooks:read',
    openapi: { method: 'GET', path: '/webhooks/dead-letters', tags: ['webhooks'], summary: 'Messages that exhausted their retries, newest first (replayable)', protect: true },
  })
  .input(z.object({ ...pageInput, endpointId: z.uuid().optional(), since: z.iso.datetime().optional().describe('Failed at or after') }))
  .output(pageOf(messageOutput))
  .query(({ ctx, input }) => listDeadLetters(ctx.sc, input));
