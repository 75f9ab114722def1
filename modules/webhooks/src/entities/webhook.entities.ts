import { defineEntity, p } from '@mikro-orm/core';

export const WebhookEndpoint = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    /** When set, only events of this organization are delivered. */
    organizationId: p.uuid().nullable(),
    url: p.text(),
    description: p.text(),
    /** Event-type filters (`user.*`, `organization.member.added`); empty means every event. */
    eventTypes: p.json<string[]>(),
    enabled: p.boolean(),
    disabledReason: p.string().nullable(),
    disabledAt: p.datetime().nullable(),
    metadata: p.json<Record<string, string>>(),
    /** The signing secret, sealed (see SecretBox); never returned after creation or rotation. */
    secretSealed: p.text(),
    previousSecretSealed: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    failingSince: p.datetime().nullable(),
    lastSuccessAt: p.datetime().nullable(),
    lastFailureAt: p.datetime().nullable(),
    consecutiveFailures: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export type MessageStatus = 'pending' | 'delivering' | 'succeeded' | 'failed';
export type MessageTrigger = 'event' | 'test' | 'replay' | 'recover';

/** One event for one endpoint: the unit that is signed, retried, dead-lettered and replayed. */
export const WebhookMessage = defineEntity({
  name: 'WebhookMessage',
  tableName: 'webhook_messages',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    endpointId: p.uuid(),
    eventId: p.uuid().nullable(),
    eventType: p.string(),
    /** The exact JSON body sent, identical on every attempt. */
    body: p.text(),
    status: p.enum(['pending', 'delivering', 'succeeded', 'failed'] as const),
    trigger: p.enum(['event', 'test', 'replay', 'recover'] as const),
    attempts: p.integer(),
    /** Attempts since the last (re)play: the position in the retry schedule. */
    roundAttempts: p.integer(),
    nextAttemptAt: p.datetime().nullable(),
    claimedUntil: p.datetime().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    lastResponseStatus: p.integer().nullable(),
    lastError: p.text().nullable(),
    deliveredAt: p.datetime().nullable(),
    failedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/** The delivery log: every attempt, kept with the message. */
export const WebhookAttempt = defineEntity({
  name: 'WebhookAttempt',
  tableName: 'webhook_attempts',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    messageId: p.uuid(),
    endpointId: p.uuid(),
    attempt: p.integer(),
    trigger: p.string(),
    status: p.enum(['succeeded', 'failed'] as const),
    responseStatus: p.integer().nullable(),
    responseBody: p.text().nullable(),
    error: p.text().nullable(),
    latencyMs: p.integer(),
    createdAt: p.datetime(),
  },
});
