import { DOMAIN_EVENTS_QUEUE, appEvent, eventRows, fastQuery, type Actor, type ErrorField, type ServiceContext } from '@plinto/kernel';
import { AuditErrors } from './errors';
import { schemaValidators, type AppEventInput } from './app-events.service';

/** Most events one batch append takes (the request body limit applies too). */
export const MAX_BATCH_EVENTS = 1000;

export interface BatchEventInput extends AppEventInput {
  /** The caller's name for this event: a retry carrying it again appends nothing twice. */
  idempotencyKey?: string;
}

export interface BatchAppendResult {
  /** One per event, in request order: the id of the event the batch (or an earlier one with the same key) appended. */
  ids: string[];
  /** How many events this call appended (the others' keys had been seen before). */
  appended: number;
}

interface KeyRow {
  key: string;
  event_id: string;
  claimed: boolean;
}

/**
 * One statement, so the batch is atomic by itself and costs one round trip (and one WAL flush):
 * claims the keyed events' idempotency keys, and writes the audit row and domain-event outbox row
 * of every event whose key it claimed (or that has none). A key already claimed — a retry — keeps
 * its first event and appends nothing; the statement returns only the keys it claimed, so the
 * usual batch of new keys costs no second look-up (retries are read after it, see below).
 * The events travel as one JSON text (a single parameter, parsed by PostgreSQL): sending them as
 * per-column arrays cost more CPU in the api escaping every element than the statement itself.
 * Each outbox payload (the DomainEventMessage every recorded event produces) is built here from the
 * event's own columns instead of travelling beside them: the JSON the api writes and PostgreSQL
 * parses is about half as long. Prepared once per connection (same text for every batch size).
 */
const APPEND_SQL = `
with input as (
  select * from json_to_recordset(?::json)
    as t(id uuid, key text, organization_id uuid, actor_type text, actor_id text, action text, target_type text, target_id text, outcome text, data jsonb, outbox_id uuid)
),
claimed as (
  insert into audit_append_keys (tenant_id, key, event_id, created_at)
  select ?::uuid, key, id, ?::timestamptz from input where key is not null
  on conflict (tenant_id, key) do nothing
  returning key, event_id
),
fresh as (
  select * from input where key is null or key in (select key from claimed)
),
events as (
  insert into audit_events (id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id, outcome, ip, user_agent, request_id, data, occurred_at)
  select id, ?::uuid, organization_id, actor_type, actor_id, action, 'app', target_type, target_id, outcome, ?, ?, ?, data, ?::timestamptz from fresh
),
outbox_rows as (
  insert into outbox (id, tenant_id, queue, job_name, payload, created_at, available_at)
  select outbox_id, ?::uuid, ?, action,
         jsonb_build_object(
           'eventId', id, 'action', action, 'tenantId', ?::text, 'organizationId', organization_id,
           'actor', jsonb_build_object('type', actor_type, 'id', actor_id),
           'target', case when target_type is null then null else jsonb_build_object('type', target_type, 'id', target_id) end,
           'data', data, 'occurredAt', ?::text
         ) || ?::jsonb,
         ?::timestamptz, ?::timestamptz from fresh
)
select key, event_id from claimed`;

/**
 * Appends up to MAX_BATCH_EVENTS events from the tenant's own backend, all or nothing: every event
 * is validated against its declared schema first, and one invalid event rejects the batch with its
 * index named (`events.3.data.n`). The events are chained (after commit, by the workers) in the
 * order given, and answered only once committed.
 */
export async function appendAppEvents(sc: ServiceContext, events: BatchEventInput[]): Promise<BatchAppendResult> {
  await sc.authz.require('audit:write');
  const { em, actor: caller } = sc;
  const tenantId = sc.tenant.id;

  const problems: ErrorField[] = [];
  const seenKeys = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.idempotencyKey === undefined) return;
    const first = seenKeys.get(e.idempotencyKey);
    if (first !== undefined) problems.push({ path: `events.${i}.idempotencyKey`, message: `Same key as events.${first}`, code: 'duplicate_key' });
    else seenKeys.set(e.idempotencyKey, i);
  });
  const validators = await schemaValidators(em, tenantId, [...new Set(events.map((e) => e.action))]);
  const parsedData = events.map((e, i) => {
    const validate = validators.get(e.action);
    if (!validate) {
      problems.push({ path: `events.${i}.action`, message: 'Not declared', code: 'schema_not_found' });
      return null;
    }
    const parsed = validate.safeParse(e.data);
    if (parsed.success) return parsed.data as Record<string, unknown>;
    for (const issue of parsed.error.issues) {
      problems.push({ path: ['events', String(i), 'data', ...issue.path.map(String)].join('.'), message: issue.message, code: issue.code });
    }
    return null;
  });
  if (problems.length > 0) throw AuditErrors.AUDIT_BATCH_INVALID({ fields: problems.slice(0, 100) });

  const recordedBy = { type: caller.type, id: caller.id };
  const rows = events.map((e, i) => {
    // The actor is who the application says did it; the credential that reported it is kept too.
    const actor: Actor = e.actor ? { ...caller, type: e.actor.type, id: e.actor.id ?? null } : caller;
    return eventRows(actor, appEvent(e.action, {
      tenantId,
      organizationId: e.organizationId ?? null,
      target: e.target,
      outcome: e.outcome ?? 'success',
      data: { ...parsedData[i]!, recordedBy },
    }));
  });
  // Ids in request order: the chain (and newest-first listing) follows id order, and UUIDv7s
  // minted in the same millisecond are otherwise in random order.
  const sortedIds = rows.map((r) => r.eventId).sort();
  rows.forEach((r, i) => {
    const id = sortedIds[i]!;
    r.eventId = id;
    r.audit.id = id;
    r.outbox[0]!.payload.eventId = id;
  });

  const at = rows[0]!.audit.occurredAt;
  const keys = events.map((e) => e.idempotencyKey ?? null);
  const input = rows.map(({ audit: a, outbox: [domainEvent] }, i) => ({
    id: a.id,
    key: keys[i],
    organization_id: a.organizationId,
    actor_type: a.actorType,
    actor_id: a.actorId,
    action: a.action,
    target_type: a.targetType,
    target_id: a.targetId,
    outcome: a.outcome,
    data: a.data,
    outbox_id: domainEvent!.id,
  }));
  // What eventRows adds to a payload beyond the event itself: the request's trace, the same for all.
  const traceparent = rows[0]!.outbox[0]!.payload.traceparent;
  const result = await fastQuery<{ key: string; event_id: string }>(
    em,
    APPEND_SQL,
    [
      JSON.stringify(input),
      tenantId, at,
      tenantId, caller.ip ?? null, caller.userAgent ?? null, caller.requestId ?? null, at,
      tenantId, DOMAIN_EVENTS_QUEUE, tenantId, at.toISOString(), JSON.stringify(traceparent ? { traceparent } : {}), at, at,
    ],
    'plinto_audit_append_batch',
  );

  const byKey = new Map<string, KeyRow>(result.map((r) => [r.key, { ...r, claimed: true }]));
  // The keys this statement did not claim: a retry's (claimed by an earlier batch), or one a
  // concurrent batch claimed and committed while this statement waited on it. Either way the key is
  // committed now, so one read finds the event that holds it.
  const earlier = keys.filter((k): k is string => k !== null && !byKey.has(k));
  if (earlier.length > 0) {
    const late = await fastQuery<KeyRow>(em, 'select key, event_id, false as claimed from audit_append_keys where tenant_id = ? and key = any(?::text[])', [tenantId, earlier]);
    for (const r of late) byKey.set(r.key, r);
  }
  let appended = 0;
  const ids = rows.map((r, i) => {
    const key = keys[i]!;
    if (key === null) {
      appended++;
      return r.eventId;
    }
    const row = byKey.get(key)!;
    if (row.claimed) appended++;
    return row.event_id;
  });
  return { ids, appended };
}
