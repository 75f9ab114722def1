import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

/** What each webhook delivery's body looks like (Standard Webhooks: `type`, `timestamp`, `data`). */
const payloadShape = z.object({
    id: z.uuid().describe('The event id (the same for every endpoint that receives it)'),
    type: z.string().describe('The event type, e.g. `tenant.updated`'),
    timestamp: z.iso.datetime().describe('When the event happened'),
    tenantId: z.uuid().nullable(),
    organizationId: z.uuid().nullable(),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    data: z.record(z.string(), z.unknown()).describe('Event-specific; see the event type catalog'),
  });

export const webhookPayloadSchema = payloadShape.meta({ id: 'WebhookPayload' });
/** The same, without a component id: inlined where a standalone JSON Schema is wanted. */
export const webhookPayloadJsonSchema = () => z.toJSONSchema(payloadShape, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;

const endpointRef = z.object({ endpointId: z.uuid(), url: z.string() });

export const WebhookEvents = defineEvents('webhooks', {
  'webhook.endpoint.created': { description: 'A webhook endpoint was created', data: endpointRef },
  'webhook.endpoint.updated': { description: 'A webhook endpoint was changed', data: endpointRef.extend({ changes: z.array(z.string()) }) },
  'webhook.endpoint.deleted': { description: 'A webhook endpoint was deleted', data: endpointRef },
  'webhook.endpoint.secret_rotated': {
    description: 'The signing secret was rotated; the old one signs too until `previousSecretExpiresAt`',
    data: endpointRef.extend({ previousSecretExpiresAt: z.iso.datetime().nullable() }),
  },
  'webhook.endpoint.failing': {
    description: "An endpoint's deliveries started failing (first failure after a success)",
    data: endpointRef.extend({ responseStatus: z.number().nullable(), error: z.string().nullable() }),
  },
  'webhook.endpoint.disabled': {
    description: 'An endpoint was disabled: by an admin, because it answered 410 Gone, or after failing continuously',
    data: endpointRef.extend({ reason: z.enum(['manual', 'gone', 'failing']), failingSince: z.iso.datetime().nullable() }),
  },
  'webhook.endpoint.enabled': { description: 'A disabled endpoint was enabled again', data: endpointRef },
  'webhook.endpoint.recovered': {
    description: 'A failing endpoint accepted a delivery again (once per failing spell, not per delivery)',
    data: endpointRef.extend({ failingSince: z.iso.datetime() }),
  },
  'webhook.message.dead_lettered': {
    description: 'A message exhausted its retries and was stored as failed (replayable)',
    data: z.object({ endpointId: z.uuid(), messageId: z.uuid(), eventType: z.string(), attempts: z.number() }),
  },
  'webhook.message.replayed': {
    description: 'A past message was sent again (replay, or recover of failures since a time)',
    data: z.object({ endpointId: z.uuid(), messageIds: z.array(z.uuid()).optional(), count: z.number(), since: z.iso.datetime().optional() }),
  },
  'webhook.endpoint.tested': {
    description: 'A test message was queued to an endpoint',
    data: endpointRef.extend({ messageId: z.uuid(), eventType: z.string() }),
  },
  'webhook.test': {
    description: 'A test message sent from the API to check an endpoint',
    data: z.object({ message: z.string() }).loose(),
  },
});

/** Webhook events about an endpoint are not delivered to that endpoint (a failing endpoint would feed itself). */
export const isAboutEndpoint = (action: string, data: Record<string, unknown>, endpointId: string) =>
  action.startsWith('webhook.') && data.endpointId === endpointId;
