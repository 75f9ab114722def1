import { currentTraceparent, uuidv7, type DomainEventMessage, type EntityManager } from '@plinto/kernel';

/** A committed event as the `events` queue carries it. */
export type FanOutEvent = Omit<DomainEventMessage, 'actor'> & { actor: { type: string; id: string | null } };
import { isAboutEndpoint } from './events';
import type { QueuedDelivery } from './outbox';
import { WebhooksQueue, WEBHOOK_DELIVER_JOB } from './queue';

/** `*` matches everything, `user.*` any type under `user.`, anything else itself. No filters: all. */
export function matchesFilters(filters: string[], type: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** The body every endpoint receives for an event; built once, sent byte-identical on every attempt. */
export function payloadFor(event: FanOutEvent): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.action,
    timestamp: event.occurredAt,
    tenantId: event.tenantId,
    organizationId: event.organizationId,
    actor: event.actor,
    target: event.target,
    data: event.data,
  });
}

interface EndpointMatchRow {
  id: string;
  event_types: string[];
  organization_id: string | null;
  created_at: Date;
}

/**
 * A tenant's enabled endpoints, read once for a burst of events instead of once per event. A
 * cached list answers only for events that occurred before it was read (so an endpoint created
 * since is never missed) and for at most a second (so a disabled or deleted one drops out soon;
 * delivery checks the endpoint again anyway). Per EntityManager factory: one per database.
 */
const ENDPOINTS_TTL_MS = 1_000;
const endpointCaches = new WeakMap<object, Map<string, { readAt: Date; rows: Promise<EndpointMatchRow[]> }>>();

function endpointsOf(em: EntityManager, tenantId: string, occurredAt: Date): Promise<EndpointMatchRow[]> {
  let cache = endpointCaches.get(em.config);
  if (!cache) endpointCaches.set(em.config, (cache = new Map()));
  const hit = cache.get(tenantId);
  const now = Date.now();
  if (hit && hit.readAt >= occurredAt && now - hit.readAt.getTime() < ENDPOINTS_TTL_MS) return hit.rows;
  const readAt = new Date(now);
  const rows = em
    .execute<{ id: string; event_types: string[]; organization_id: string | null; created_at: string }[]>(
      'select id, event_types, organization_id, created_at from webhook_endpoints where tenant_id = ? and enabled',
      [tenantId],
    )
    .then((found) => found.map((r) => ({ ...r, created_at: new Date(r.created_at) })));
  if (cache.size > 10_000) cache.clear();
  cache.set(tenantId, { readAt, rows });
  rows.catch(() => cache.delete(tenantId));
  return rows;
}

/**
 * Fans one committed event out to the tenant's matching endpoints: one message per (event,
 * endpoint) and one queued delivery each, written atomically. Idempotent by event id:
 * a redelivered event finds its messages already there (unique (event_id, endpoint_id)) and
 * queues nothing new. Returns what it queued, for an immediate dispatch after commit.
 */
export async function fanOutEvent(em: EntityManager, event: FanOutEvent, firstDelayMs = 0): Promise<QueuedDelivery[]> {
  return (await fanOutEvents(em, [{ event, traceparent: currentTraceparent() }], firstDelayMs))[0]!;
}

/** An event to fan out, with the trace its delivery jobs continue (the fan-out job's own). */
export interface FanOutItem {
  event: FanOutEvent;
  traceparent?: string | undefined;
}

/**
 * fanOutEvent for several events in one statement (the fan-out jobs a workers process runs at the
 * same time): what each event queued, in order. An event given twice queues once.
 */
export async function fanOutEvents(em: EntityManager, items: FanOutItem[], firstDelayMs = 0): Promise<QueuedDelivery[][]> {
  const input: { messageId: string; endpointId: string; event: FanOutEvent; traceparent: string | undefined }[] = [];
  const seen = new Set<string>();
  for (const { event, traceparent } of items) {
    if (!event.tenantId || seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    for (const endpointId of await targetsOf(em, event)) input.push({ messageId: uuidv7(), endpointId, event, traceparent });
  }
  if (input.length === 0) return items.map(() => []);
  const availableAt = new Date(Date.now() + firstDelayMs);
  const bodies = new Map<FanOutEvent, string>();
  const values: unknown[] = [];
  for (const { messageId, endpointId, event, traceparent } of input) {
    let body = bodies.get(event);
    if (body === undefined) bodies.set(event, (body = payloadFor(event)));
    // The event's trace (its fan-out job runs inside it) continues in each delivery job.
    values.push(messageId, uuidv7(), endpointId, event.tenantId, event.eventId, event.action, body, JSON.stringify(traceparent ? { traceparent } : {}));
  }
  // One statement, so atomic without a transaction: the messages that are new (a redelivered
  // event conflicts on (event_id, endpoint_id) and inserts nothing) and an outbox row for each.
  const rows: { id: string; message_id: string; traceparent: string | null }[] = await em.execute(
    `with input (message_id, outbox_id, endpoint_id, tenant_id, event_id, event_type, body, trace) as (
            values ${input.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::text, ?::jsonb)').join(', ')}),
          inserted as (
            insert into webhook_messages (id, tenant_id, endpoint_id, event_id, event_type, body, status, trigger, next_attempt_at)
            select message_id, tenant_id, endpoint_id, event_id, event_type, body, 'pending', 'event', ?::timestamptz from input
            on conflict (event_id, endpoint_id) do nothing
            returning id)
     insert into outbox (id, tenant_id, queue, job_name, payload, created_at, available_at, attempts)
     select i.outbox_id, i.tenant_id, ?::text, ?::text, jsonb_build_object('messageId', m.id) || i.trace, now(), ?::timestamptz, 0
       from inserted m join input i on i.message_id = m.id
     returning id, payload->>'messageId' as message_id, payload->>'traceparent' as traceparent`,
    [...values, availableAt, WebhooksQueue.name, WEBHOOK_DELIVER_JOB, availableAt],
  );
  const eventOf = new Map(input.map((i) => [i.messageId, i.event]));
  const queued = new Map<FanOutEvent, QueuedDelivery[]>();
  for (const r of rows) {
    const event = eventOf.get(r.message_id)!;
    queued.set(event, [...(queued.get(event) ?? []), { outboxId: r.id, messageId: r.message_id, ...(r.traceparent ? { traceparent: r.traceparent } : {}) }]);
  }
  return items.map((i) => queued.get(i.event) ?? []);
}

/** The ids of the endpoints that receive an event. */
async function targetsOf(em: EntityManager, event: FanOutEvent): Promise<string[]> {
  const occurredAt = new Date(event.occurredAt);
  // An endpoint receives the events that happened after it was created, not a backlog that
  // happened to still be in flight when it was.
  const endpoints = (await endpointsOf(em, event.tenantId!, occurredAt)).filter((e) => e.created_at <= occurredAt);
  return endpoints
    .filter(
      (e) =>
        matchesFilters(e.event_types, event.action) &&
        (!e.organization_id || e.organization_id === event.organizationId) &&
        !isAboutEndpoint(event.action, event.data, e.id),
    )
    .map((e) => e.id);
}
