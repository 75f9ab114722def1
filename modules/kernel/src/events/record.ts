import type { EntityManager } from '@mikro-orm/core';
import { uuidv7 } from '../ids';
import { AuditEvent, OutboxMessage } from './entities';
import { DOMAIN_EVENTS_QUEUE, type QueueName } from '../queues';

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

export interface DomainEvent {
  /** `resource.verb_past`, e.g. `tenant.created`. */
  action: string;
  tenantId: string | null;
  organizationId?: string | null;
  target?: { type: string; id: string };
  outcome?: 'success' | 'failure';
  data?: Record<string, unknown>;
  /** Who defined the action: Plinto itself (default) or the tenant's own backend. */
  source?: 'plinto' | 'app';
}

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

/**
 * Records a state change on the event spine: one audit row, one domain-event outbox row, and one
 * outbox row per extra side effect. Call it with the EntityManager of the transaction that makes
 * the change: the rows are persisted with that transaction's flush, so they commit or roll back
 * together with it. Nothing here touches Redis, SMTP or the network.
 */
export function recordEvent(em: EntityManager, actor: Actor, event: DomainEvent, effects: SideEffect[] = []): string {
  const now = new Date();
  const eventId = uuidv7(now.getTime());
  const data = event.data ?? {};
  em.persist(
    em.create(AuditEvent, {
      id: eventId,
      tenantId: event.tenantId,
      organizationId: event.organizationId ?? null,
      actorType: actor.type,
      actorId: actor.id,
      action: event.action,
      source: event.source ?? 'plinto',
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      outcome: event.outcome ?? 'success',
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      requestId: actor.requestId ?? null,
      data,
      occurredAt: now,
      chainSeq: null,
      chainHash: null,
    }),
  );
  const message: DomainEventMessage = {
    eventId,
    action: event.action,
    tenantId: event.tenantId,
    organizationId: event.organizationId ?? null,
    actor: { type: actor.type, id: actor.id },
    target: event.target ?? null,
    data,
    occurredAt: now.toISOString(),
  };
  const all: SideEffect[] = [{ queue: DOMAIN_EVENTS_QUEUE, jobName: event.action, payload: { ...message } }, ...effects];
  for (const effect of all) {
    em.persist(
      em.create(OutboxMessage, {
        id: uuidv7(now.getTime()),
        tenantId: event.tenantId,
        queue: effect.queue,
        jobName: effect.jobName,
        payload: effect.payload,
        createdAt: now,
        availableAt: effect.availableAt ?? now,
        dispatchedAt: null,
        attempts: 0,
        lastError: null,
      }),
    );
  }
  return eventId;
}
