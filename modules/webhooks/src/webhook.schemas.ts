import { z } from 'zod';

export const EVENT_FILTER_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;

export const eventTypeFilter = z
  .string()
  .max(200)
  .regex(EVENT_FILTER_PATTERN, 'An event type (`tenant.updated`), a prefix wildcard (`user.*`) or `*`');

export const endpointUrl = z.url({ protocol: /^https?$/ }).max(2048).describe('Where deliveries are POSTed (http or https)');

export const endpointMetadata = z
  .record(z.string().min(1).max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 20, 'At most 20 keys')
  .describe('Free-form string pairs for your own bookkeeping');

export const endpointHealth = z
  .object({
    status: z.enum(['new', 'healthy', 'failing', 'disabled']),
    failingSince: z.iso.datetime().nullable().describe('Deliveries have failed continuously since then'),
    lastSuccessAt: z.iso.datetime().nullable(),
    lastFailureAt: z.iso.datetime().nullable(),
    consecutiveFailures: z.number().int(),
    last24h: z
      .object({ succeeded: z.number().int(), failed: z.number().int() })
      .describe('Delivery attempts in the last 24 hours, by outcome'),
  })
  .meta({ id: 'WebhookEndpointHealth' });

export const endpointOutput = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    organizationId: z.uuid().nullable(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).describe('Filters; empty means every event'),
    enabled: z.boolean(),
    disabledReason: z.enum(['manual', 'gone', 'failing']).nullable(),
    disabledAt: z.iso.datetime().nullable(),
    metadata: z.record(z.string(), z.string()),
    previousSecretExpiresAt: z.iso.datetime().nullable().describe('Until then deliveries are also signed with the previous secret'),
    health: endpointHealth,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });

export type EndpointDto = z.infer<typeof endpointOutput>;

export const endpointWithSecretOutput = endpointOutput
  .extend({ secret: z.string().describe('The `whsec_` signing secret. Shown only now: store it') })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const attemptOutput = z
  .object({
    id: z.uuid(),
    attempt: z.number().int(),
    trigger: z.string(),
    status: z.enum(['succeeded', 'failed']),
    responseStatus: z.number().int().nullable(),
    responseBody: z.string().nullable().describe('The first 2 KiB of the response body'),
    error: z.string().nullable(),
    latencyMs: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookAttempt' });

export const messageOutput = z
  .object({
    id: z.uuid().describe('Also the `webhook-id` header of every attempt'),
    endpointId: z.uuid(),
    eventId: z.uuid().nullable(),
    eventType: z.string(),
    status: z.enum(['pending', 'delivering', 'succeeded', 'failed']),
    trigger: z.enum(['event', 'test', 'replay', 'recover']),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastAttemptAt: z.iso.datetime().nullable(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    failedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    payload: z.record(z.string(), z.unknown()),
    deliveryAttempts: z.array(attemptOutput).describe('Every attempt, oldest first (at most 100)'),
  })
  .meta({ id: 'WebhookMessage' });

export type MessageDto = z.infer<typeof messageOutput>;

export const endpointIdParam = z.uuid().describe('The endpoint id');
export const messageStatus = z.enum(['pending', 'delivering', 'succeeded', 'failed']);
