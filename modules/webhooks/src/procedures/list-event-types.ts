import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { listEventTypes } from '../event-types.service';

const eventTypeOutput = z
  .object({
    type: z.string(),
    description: z.string(),
    module: z.string(),
    dataSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the payload `data`'),
  })
  .meta({ id: 'WebhookEventType' });

/** The event catalog: what endpoints can subscribe to, and what each payload's `data` holds. */
export const listEventTypesProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'GET', path: '/webhooks/event-types', tags: ['webhooks'], summary: 'The catalog of event types and their payload schemas' } })
  .input(z.object({}).optional())
  .output(z.object({ payloadSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of every delivery body'), items: z.array(eventTypeOutput) }))
  .query(({ ctx }) => listEventTypes(ctx.sc));
