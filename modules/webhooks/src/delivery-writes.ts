import { uuidv7, type MikroORM } from '@plinto/kernel';
import { batcherPer, StatementBatcher } from './batch';

/** A message claimed for one attempt, with the endpoint columns the attempt needs. */
export interface ClaimedRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  trigger: string;
  attempts: number;
  round_attempts: number;
  url: string;
  enabled: boolean;
  organization_id: string | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | Date | null;
  failing_since: string | Date | null;
}

/**
 * Claims due messages for one attempt each, and reads their endpoints, in one statement for all
 * the deliveries this process starts at the same time. The claim expires, so a worker that dies
 * mid-attempt does not strand a message: whoever runs its job next takes it over after `claimMs`.
 * The endpoint is read with the claim on every attempt (never cached): a rotated secret, a
 * disabled endpoint or a changed URL applies to the very next attempt.
 */
const claimBatcher = batcherPer((orm: MikroORM) =>
  new StatementBatcher<{ messageId: string; claimMs: number }, ClaimedRow | null>(async (inputs) => {
    const values = inputs.flatMap((i) => [i.messageId, i.claimMs / 1000]);
    const rows: ClaimedRow[] = await orm.em.fork().execute(
      `with input (id, secs) as (values ${inputs.map(() => '(?::uuid, ?::float8)').join(', ')}),
            -- Rows locked in one order, so two processes claiming overlapping sets cannot deadlock.
            locked as (select m.id from webhook_messages m where m.id in (select id from input) order by m.id for update)
       update webhook_messages m
          set status = 'delivering', claimed_until = now() + make_interval(secs => i.secs), updated_at = now()
         from (select distinct on (id) id, secs from input) i, webhook_endpoints e
        where m.id = i.id and m.id in (select id from locked) and e.id = m.endpoint_id
          and (m.status = 'pending' or (m.status = 'delivering' and m.claimed_until < now()))
          and (m.next_attempt_at is null or m.next_attempt_at <= now() + interval '50 milliseconds')
        returning m.id, m.tenant_id, m.endpoint_id, m.event_type, m.body, m.trigger, m.attempts, m.round_attempts,
                  e.url, e.enabled, e.organization_id, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, e.failing_since`,
      values,
    );
    const claimed = new Map(rows.map((r) => [r.id, r]));
    // Two jobs of one message (a replay beside a pending retry) in one batch: only the first gets
    // the claim; the other finds the message being delivered and looks again later.
    return inputs.map((i) => {
      const row = claimed.get(i.messageId) ?? null;
      claimed.delete(i.messageId);
      return row;
    });
  }),
);

export const claimMessage = (orm: MikroORM, messageId: string, claimMs: number): Promise<ClaimedRow | null> => claimBatcher(orm).add({ messageId, claimMs });

/** A successful attempt, as recorded. */
export interface SuccessRecord {
  tenantId: string;
  messageId: string;
  endpointId: string;
  attempt: number;
  round: number;
  trigger: string;
  responseStatus: number | null;
  responseBody: string | null;
  latencyMs: number;
}

/**
 * Records successful attempts — the attempt row, the settled message, the endpoint marked healthy
 * unless it already is (so busy endpoints are not rewritten) — for every delivery of this process
 * that finished at the same time, in one statement (atomic on its own). The job completes only
 * after it committed; a crash before that repeats the attempt with the same `webhook-id`.
 */
const successBatcher = batcherPer((orm: MikroORM) =>
  new StatementBatcher<SuccessRecord, void>(async (records) => {
    const values = records.flatMap((r) => [uuidv7(), r.tenantId, r.messageId, r.endpointId, r.attempt, r.round, r.trigger, r.responseStatus, r.responseBody, r.latencyMs]);
    await orm.em.fork().execute(
      `with input (attempt_id, tenant_id, message_id, endpoint_id, attempt, round, trigger, response_status, response_body, latency_ms) as (
              values ${records.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::int, ?::int, ?::text, ?::int, ?::text, ?::int)').join(', ')}),
            attempt as (
              insert into webhook_attempts
                (id, tenant_id, message_id, endpoint_id, attempt, trigger, status, response_status, response_body, error, latency_ms, created_at)
              select attempt_id, tenant_id, message_id, endpoint_id, attempt, trigger, 'succeeded', response_status, response_body, null, latency_ms, now()
                from input),
            message as (
              update webhook_messages m set status = 'succeeded', attempts = i.attempt, round_attempts = i.round, claimed_until = null,
                     updated_at = now(), last_attempt_at = now(), last_response_status = i.response_status, last_error = null,
                     next_attempt_at = null, delivered_at = now(), failed_at = null
                from input i
               where m.id = i.message_id)
       update webhook_endpoints set last_success_at = now(), failing_since = null, consecutive_failures = 0
        where id in (select e.id from webhook_endpoints e
                      where e.id in (select endpoint_id from input)
                        and (e.failing_since is not null or e.consecutive_failures > 0 or e.last_success_at is null
                             or e.last_success_at < now() - interval '1 second')
                      order by e.id for update)`,
      values,
    );
    return records.map(() => undefined);
  }),
);

export const recordSuccess = (orm: MikroORM, record: SuccessRecord): Promise<void> => successBatcher(orm).add(record);
