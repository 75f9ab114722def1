import { uuidv7, type DomainEventMessage, type EntityManager } from '@plinto/kernel';

/** A committed event as the `events` queue carries it. */
export type FanOutEvent = Omit<DomainEventMessage, 'actor'> & { actor: { type: string; id: string | null } };
import { isAboutEndpoint } from './events';
import { queueDeliveries, type QueuedDelivery } from './outbox';

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
}

/**
 * Fans one committed event out to the tenant's matching endpoints: one message per (event,
 * endpoint) and one queued delivery each, written in one transaction. Idempotent by event id:
 * a redelivered event finds its messages already there (unique (event_id, endpoint_id)) and
 * queues nothing new. Returns what it queued, for an immediate dispatch after commit.
 */
export async function fanOutEvent(em: EntityManager, event: FanOutEvent, firstDelayMs = 0): Promise<QueuedDelivery[]> {
  if (!event.tenantId) return [];
  const endpoints: EndpointMatchRow[] = await em.execute(
    // An endpoint receives the events that happened after it was created, not a backlog that
    // happened to still be in flight when it was.
    'select id, event_types, organization_id from webhook_endpoints where tenant_id = ? and enabled and created_at <= ?',
    [event.tenantId, new Date(event.occurredAt)],
  );
  const targets = endpoints.filter(
    (e) =>
      matchesFilters(e.event_types, event.action) &&
      (!e.organization_id || e.organization_id === event.organizationId) &&
      !isAboutEndpoint(event.action, event.data, e.id),
  );
  if (targets.length === 0) return [];
  const body = payloadFor(event);
  const tenantId = event.tenantId;
  const availableAt = new Date(Date.now() + firstDelayMs);
  return em.transactional(async (tx) => {
    const values: unknown[] = [];
    for (const endpoint of targets) values.push(uuidv7(), tenantId, endpoint.id, event.eventId, event.action, body, availableAt);
    const inserted: { id: string }[] = await tx.execute(
      `insert into webhook_messages (id, tenant_id, endpoint_id, event_id, event_type, body, status, trigger, next_attempt_at)
       values ${targets.map(() => `(?, ?, ?, ?, ?, ?, 'pending', 'event', ?)`).join(', ')}
       on conflict (event_id, endpoint_id) do nothing
       returning id`,
      values,
    );
    return queueDeliveries(tx, inserted.map((row) => ({ messageId: row.id, tenantId })), availableAt);
  });
}
