import type { EntityManager } from '@mikro-orm/core';
import { uuidv7 } from '../ids';
import { insertRows } from '../db/insert-rows';
import { AuditEvent, OutboxMessage } from './entities';
import { DOMAIN_EVENTS_QUEUE, type QueueName } from '../queues';
import { notifyRecorded } from '../observability/recorded-events';
import { currentTraceparent } from '../observability/tracing';
import { noteOutboxWrite } from './wake';
import type { DomainEvent } from './define';

export type { DomainEvent } from './define';

export type ActorType = 'user' | 'platform_operator' | 'api_key' | 'machine_client' | 'system';

/** Who did it and from where; derived once per request (see `auditActor`). */
export interface Actor {
  type: ActorType;
  id: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

/** A side effect that must happen after commit: a job on a queue. */
export interface SideEffect {
  queue: QueueName;
  jobName: string;
  payload: Record<string, unknown>;
  /** Do not dispatch before this time. */
  availableAt?: Date;
}

/** The payload of the domain-event job every committed event produces (webhooks, realtime). */
export interface DomainEventMessage {
  eventId: string;
  action: string;
  tenantId: string | null;
  organizationId: string | null;
  actor: { type: ActorType; id: string | null };
  target: { type: string; id: string } | null;
  data: Record<string, unknown>;
  occurredAt: string;
}

/** The rows one recorded event becomes: its audit row and its outbox rows (domain event first). */
export interface EventRows {
  eventId: string;
  audit: {
    id: string;
    tenantId: string | null;
    organizationId: string | null;
    actorType: ActorType;
    actorId: string | null;
    action: string;
    source: string;
    targetType: string | null;
    targetId: string | null;
    outcome: string;
    ip: string | null;
    userAgent: string | null;
    requestId: string | null;
    data: Record<string, unknown>;
    occurredAt: Date;
  };
  outbox: { id: string; tenantId: string | null; queue: string; jobName: string; payload: Record<string, unknown>; createdAt: Date; availableAt: Date }[];
}

export function eventRows(actor: Actor, event: DomainEvent, effects: SideEffect[] = []): EventRows {
  noteOutboxWrite();
  const now = new Date();
  const eventId = uuidv7(now.getTime());
  const data = event.data;
  const message: DomainEventMessage = {
    eventId,
    action: event.action,
    tenantId: event.tenantId,
    organizationId: event.organizationId,
    actor: { type: actor.type, id: actor.id },
    target: event.target,
    data,
    occurredAt: now.toISOString(),
  };
  const all: SideEffect[] = [{ queue: DOMAIN_EVENTS_QUEUE, jobName: event.action, payload: { ...message } }, ...effects];
  notifyRecorded(event);
  // The request's trace continues in the workers from each outbox row (see observability/tracing.ts).
  const traceparent = currentTraceparent();
  return {
    eventId,
    audit: {
      id: eventId,
      tenantId: event.tenantId,
      organizationId: event.organizationId,
      actorType: actor.type,
      actorId: actor.id,
      action: event.action,
      source: event.source,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      outcome: event.outcome,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      requestId: actor.requestId ?? null,
      data,
      occurredAt: now,
    },
    outbox: all.map((effect) => ({
      id: uuidv7(now.getTime()),
      tenantId: event.tenantId,
      queue: effect.queue,
      jobName: effect.jobName,
      payload: traceparent ? { ...effect.payload, traceparent } : effect.payload,
      createdAt: now,
      availableAt: effect.availableAt ?? now,
    })),
  };
}

/**
 * Records a state change on the event spine: one audit row, one domain-event outbox row, and one
 * outbox row per extra side effect. Call it with the EntityManager of the transaction that makes
 * the change: the rows are persisted with that transaction's flush, so they commit or roll back
 * together with it. Nothing here touches Redis, SMTP or the network.
 */
export function recordEvent(em: EntityManager, actor: Actor, event: DomainEvent, effects: SideEffect[] = []): string {
  return persistEventRows(em, eventRows(actor, event, effects));
}

/** Puts already built event rows in `em`'s unit of work (flushed with the caller's transaction). */
export function persistEventRows(em: EntityManager, rows: EventRows): string {
  em.persist(em.create(AuditEvent, { ...rows.audit, chainSeq: null, chainHash: null }));
  for (const row of rows.outbox) em.persist(em.create(OutboxMessage, { ...row, dispatchedAt: null, attempts: 0, lastError: null }));
  return rows.eventId;
}

/**
 * The same rows as SQL common table expressions, for hot paths that write a whole change in one
 * statement (one round trip, atomic by itself, no unit of work): `with <ctes>, ... select ...`.
 * Placeholders are `?` (knex style) in the order of `params`. With `onlyIf` (an SQL condition over
 * the statement's other CTEs, e.g. `exists (select 1 from rotated)`), the rows are written only
 * when it holds — for a statement whose change may turn out not to apply.
 */
export function eventCtes(rows: EventRows, name = 'ev', onlyIf?: string): { ctes: string[]; params: unknown[] } {
  const a = rows.audit;
  const tuple = (placeholders: string) => (onlyIf ? `select ${placeholders} where ${onlyIf}` : `values (${placeholders})`);
  const auditCte = `${name}_audit as (insert into audit_events (id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id, outcome, ip, user_agent, request_id, data, occurred_at)
      ${tuple('?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?')})`;
  const auditParams = [a.id, a.tenantId, a.organizationId, a.actorType, a.actorId, a.action, a.source, a.targetType, a.targetId, a.outcome, a.ip, a.userAgent, a.requestId, JSON.stringify(a.data), a.occurredAt];
  const outboxParams = rows.outbox.flatMap((o) => [o.id, o.tenantId, o.queue, o.jobName, JSON.stringify(o.payload), o.createdAt, o.availableAt]);
  const outboxColumns = 'insert into outbox (id, tenant_id, queue, job_name, payload, created_at, available_at)';
  // Conditional rows are one CTE each: `select ... where` takes one row.
  const outboxCtes = onlyIf
    ? rows.outbox.map((_, i) => `${name}_outbox${i} as (${outboxColumns} ${tuple('?, ?, ?, ?, ?::jsonb, ?, ?')})`)
    : [`${name}_outbox as (${outboxColumns} values ${rows.outbox.map(() => '(?, ?, ?, ?, ?::jsonb, ?, ?)').join(', ')})`];
  return { ctes: [auditCte, ...outboxCtes], params: [...auditParams, ...outboxParams] };
}

/**
 * Writes the rows of many events at once (multi-row INSERTs, no unit of work), in `em`'s
 * transaction: the bulk form of recordEvent for calls that record hundreds of events.
 */
export async function insertEventRows(em: EntityManager, events: EventRows[]): Promise<void> {
  await insertRows(
    em as never,
    'audit_events',
    ['id', 'tenant_id', 'organization_id', 'actor_type', 'actor_id', 'action', 'source', 'target_type', 'target_id', 'outcome', 'ip', 'user_agent', 'request_id', 'data', 'occurred_at'],
    events.map(({ audit: a }) => [a.id, a.tenantId, a.organizationId, a.actorType, a.actorId, a.action, a.source, a.targetType, a.targetId, a.outcome, a.ip, a.userAgent, a.requestId, a.data, a.occurredAt]),
  );
  await insertRows(
    em as never,
    'outbox',
    ['id', 'tenant_id', 'queue', 'job_name', 'payload', 'created_at', 'available_at'],
    events.flatMap((e) => e.outbox.map((o) => [o.id, o.tenantId, o.queue, o.jobName, o.payload, o.createdAt, o.availableAt])),
  );
}
