import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { appEventFields } from '../audit.schemas';
import { MAX_BATCH_EVENTS, appendAppEvents } from '../batch-append.service';

/**
 * One event of a batch. Strict: a field this API does not know (say `tenantId`) is an error, not
 * silently dropped — a caller who believes it chose something it did not should hear so.
 */
const batchEvent = z.strictObject({
  ...appEventFields,
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Your name for this event, unique per tenant: a retried batch carrying it again appends nothing twice (remembered AUDIT_APPEND_KEY_TTL_HOURS)'),
});

export const appendBatchProcedure = procedure
  .meta({
    permission: 'audit:write',
    openapi: {
      method: 'POST',
      path: '/audit-logs/batch',
      tags: ['audit'],
      summary: `Append up to ${MAX_BATCH_EVENTS} events from your application's backend at once, all or nothing (each validated against its declared schema)`,
      protect: true,
    },
    successStatus: 201,
  })
  .input(z.object({ events: z.array(batchEvent).min(1).max(MAX_BATCH_EVENTS) }))
  .output(
    z.object({
      ids: z.array(z.uuid()).describe('One per event, in request order (for a retried key, the event first appended with it)'),
      appended: z.number().int().describe('Events this call appended; the rest had been appended before under the same keys'),
    }),
  )
  .mutation(({ ctx, input }) => appendAppEvents(ctx.sc, input.events));
