import { defineEntity, p } from '@mikro-orm/core';

/**
 * One row per state change, written in the same transaction as the change itself, so the audit
 * log can never miss a committed change nor show one that rolled back.
 */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid().nullable(),
    organizationId: p.uuid().nullable(),
    actorType: p.string(),
    actorId: p.string().nullable(),
    action: p.string(),
    /** `plinto` for Plinto's own events, `app` for events appended by a tenant's backend. */
    source: p.string(),
    targetType: p.string().nullable(),
    targetId: p.string().nullable(),
    outcome: p.string(),
    ip: p.string().nullable(),
    userAgent: p.text().nullable(),
    requestId: p.string().nullable(),
    data: p.json<Record<string, unknown>>(),
    occurredAt: p.datetime(),
    /** Position and hash in the tenant's tamper-evident chain; set after commit by the chainer. */
    chainSeq: p.bigint('number').nullable(),
    chainHash: p.string().nullable(),
  },
});

/**
 * A side effect waiting to leave the database: the outbox relay moves it to its BullMQ queue
 * (job id = outbox id, so a re-delivery is a no-op) and stamps `dispatchedAt`.
 */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid().nullable(),
    queue: p.string(),
    jobName: p.string(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    availableAt: p.datetime(),
    dispatchedAt: p.datetime().nullable(),
    attempts: p.integer(),
    lastError: p.text().nullable(),
  },
});
