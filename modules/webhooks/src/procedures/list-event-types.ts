import { z } from 'zod';
import { eventTypeCatalog, publicProcedure } from '@plinto/kernel';
import { webhookPayloadJsonSchema } from '../events';

const eventTypeOutput = z
  .object({
    type: z.string(),
    description: z.string(),
    module: z.string(),
    dataSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the payload `data`'),
  })
  .meta({ id: 'WebhookEventType' });

let cached: { payloadSchema: Record<string, unknown>; items: z.infer<typeof eventTypeOutput>[] } | undefined;

/** The event catalog: what endpoints can subscribe to, and what each payload's `data` holds. */
export const listEventTypesProcedure = publicProcedure
  .meta({ openapi: { method: 'GET', path: '/webhooks/event-types', tags: ['webhooks'], summary: 'The catalog of event types and their payload schemas' } })
  .input(z.object({}).optional())
  .output(z.object({ payloadSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of every delivery body'), items: z.array(eventTypeOutput) }))
  .query(() => {
    cached ??= {
      payloadSchema: webhookPayloadJsonSchema(),
      items: eventTypeCatalog().map((spec) => ({
        type: spec.type,
        description: spec.description,
        module: spec.module,
        dataSchema: z.toJSONSchema(spec.data, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>,
      })),
    };
    return cached;
  });
