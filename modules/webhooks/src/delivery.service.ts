import { eventCtes, eventRows, recordEvent, uuidv7, SYSTEM_ACTOR, type Config, type EntityManager, type MikroORM } from '@plinto/kernel';
import { webhookConfig } from './config';
import { signingSecrets } from './endpoints.service';
import { webhookHeaders } from './signing';
import { inSpan, sendOutbound, SpanKind, SpanStatusCode, type Resolver, type SendResult } from '@plinto/kernel';
import { WebhookEvents } from './events';

export type DeliveryOutcome =
  | { kind: 'skipped'; reason: 'missing' | 'settled' }
  /** Another worker holds the claim, or the attempt is not due yet: look again at `at`. */
  | { kind: 'wait'; at: Date }
  | { kind: 'succeeded'; attempt: number }
  | { kind: 'retry'; attempt: number; at: Date }
  | { kind: 'dead'; attempt: number; reason: 'exhausted' | 'gone' | 'endpoint_disabled' };

/** A Retry-After longer than this is capped: the schedule stays bounded. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** `delay` ± 20 %, so endpoints that failed together do not all retry in the same instant. */
export function withJitter(delayMs: number, random = Math.random): number {
  return Math.round(delayMs * (0.8 + 0.4 * random()));
}

/** When to try again after failed attempt number `round` of a round (1-based), or null if exhausted. */
export function nextDelay(schedule: number[], round: number, retryAfterMs: number | null): number | null {
  if (round >= schedule.length) return null;
  const scheduled = withJitter(schedule[round]!);
  return retryAfterMs === null ? scheduled : Math.max(scheduled, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

interface ClaimedMessage {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  trigger: string;
  attempts: number;
  round_attempts: number;
}

/** The endpoint columns a delivery needs, read in the same statement as the claim. */
export interface DeliveryEndpoint {
  id: string;
  url: string;
  enabled: boolean;
  organizationId: string | null;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  /** Since when the endpoint has been failing, as the claim read it (null: healthy). */
  failingSince: Date | null;
}

/**
 * Claims a due message for one attempt, and reads its endpoint, in one statement. The claim
 * expires, so a worker that dies mid-attempt does not strand the message: whoever runs the job
 * next takes it over after `claimMs`.
 */
async function claim(em: EntityManager, messageId: string, claimMs: number): Promise<{ message: ClaimedMessage; endpoint: DeliveryEndpoint } | DeliveryOutcome> {
  const rows: (ClaimedMessage & Record<string, unknown>)[] = await em.execute(
    `update webhook_messages m
        set status = 'delivering', claimed_until = now() + make_interval(secs => ?), updated_at = now()
       from webhook_endpoints e
      where m.id = ? and e.id = m.endpoint_id
        and (m.status = 'pending' or (m.status = 'delivering' and m.claimed_until < now()))
        and (m.next_attempt_at is null or m.next_attempt_at <= now() + interval '50 milliseconds')
      returning m.id, m.tenant_id, m.endpoint_id, m.event_type, m.body, m.trigger, m.attempts, m.round_attempts,
                e.url, e.enabled, e.organization_id, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, e.failing_since`,
    [claimMs / 1000, messageId],
  );
  const row = rows[0];
  if (row) {
    const endpoint: DeliveryEndpoint = {
      id: row.endpoint_id,
      url: row.url as string,
      enabled: row.enabled as boolean,
      organizationId: (row.organization_id as string | null) ?? null,
      secretSealed: row.secret_sealed as string,
      previousSecretSealed: (row.previous_secret_sealed as string | null) ?? null,
      previousSecretExpiresAt: row.previous_secret_expires_at ? new Date(row.previous_secret_expires_at as string) : null,
      failingSince: row.failing_since ? new Date(row.failing_since as string) : null,
    };
    return { message: row, endpoint };
  }
  // Raw rows carry timestamps as strings (MikroORM's pg type parsing); Date() takes either.
  const [state]: { status: string; claimed_until: string | Date | null; next_attempt_at: string | Date | null }[] = await em.execute(
    'select status, claimed_until, next_attempt_at from webhook_messages where id = ?',
    [messageId],
  );
  if (!state) return { kind: 'skipped', reason: 'missing' };
  if (state.status === 'succeeded' || state.status === 'failed') return { kind: 'skipped', reason: 'settled' };
  const at = state.status === 'delivering' ? state.claimed_until : state.next_attempt_at;
  return { kind: 'wait', at: new Date(Math.max(Date.now() + 10, new Date(at ?? Date.now()).getTime() + 10)) };
}

/**
 * Makes one delivery attempt of a message and records it (attempt row, message state, endpoint
 * health, and the events that follow from them) atomically. The caller (the webhooks
 * worker) re-runs the job at `retry.at`. At-least-once: a crash after the POST but before the
 * commit repeats the attempt, with the same `webhook-id`, for the receiver to dedupe.
 */
/** One delivery attempt, as the workers' metrics see it. */
export interface AttemptObservation {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  errorKind: string | null;
}

export async function deliverMessage(
  orm: MikroORM,
  config: Config,
  messageId: string,
  options: { resolver?: Resolver; onAttempt?: (attempt: AttemptObservation) => void } = {},
): Promise<DeliveryOutcome> {
  const settings = webhookConfig(config);
  const em = orm.em.fork();
  const claimMs = Math.max(settings.WEBHOOK_CLAIM_TIMEOUT, settings.WEBHOOK_TIMEOUT + 5000);
  const claimed = await claim(em, messageId, claimMs);
  if ('kind' in claimed) return claimed;
  const { message, endpoint } = claimed;
  const attempt = message.attempts + 1;
  if (!endpoint.enabled) {
    await settle(em, message.id, { status: 'failed', error: 'endpoint disabled', attempts: message.attempts, round: message.round_attempts, responseStatus: null });
    return { kind: 'dead', attempt: message.attempts, reason: 'endpoint_disabled' };
  }

  const result = await inSpan('plinto-webhooks', 'webhook.attempt', { kind: SpanKind.CLIENT, attributes: { 'plinto.webhook.message_id': message.id, 'plinto.webhook.attempt': attempt } }, async (span) => {
    const sent = await sendOutbound({
      url: endpoint.url,
      headers: webhookHeaders(signingSecrets(config, endpoint), message.id, message.body),
      body: message.body,
      timeoutMs: settings.WEBHOOK_TIMEOUT,
      allowedHosts: settings.WEBHOOK_ALLOWED_HOSTS,
      resolver: options.resolver,
    });
    if (sent.status !== null) span.setAttribute('http.response.status_code', sent.status);
    if (!sent.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: sent.errorKind ?? `HTTP ${sent.status}` });
    return sent;
  });
  options.onAttempt?.({ ok: result.ok, status: result.status, latencyMs: result.latencyMs, errorKind: result.errorKind ?? null });
  const round = message.round_attempts + 1;
  const gone = result.status === 410;
  const delay = result.ok || gone ? null : nextDelay(settings.WEBHOOK_RETRY_SCHEDULE, round, result.retryAfterMs);
  const retryAt = delay === null ? null : new Date(Date.now() + delay);

  const attemptRow = [uuidv7(), message.tenant_id, message.id, endpoint.id, attempt, message.trigger, result.ok ? 'succeeded' : 'failed', result.status, result.body, result.error, result.latencyMs];
  if (result.ok && endpoint.failingSince) {
    await recordRecovery(em, message, endpoint, attemptRow, attempt, round, result.status);
    return { kind: 'succeeded', attempt };
  }
  if (result.ok) {
    // The common case in one statement (atomic on its own): log the attempt, settle the message,
    // and mark the endpoint healthy unless it already is (so busy endpoints do not rewrite it).
    await em.execute(
      `with attempt as (${INSERT_ATTEMPT}),
            message as (
              update webhook_messages set status = 'succeeded', attempts = ?, round_attempts = ?, claimed_until = null,
                     updated_at = now(), last_attempt_at = now(), last_response_status = ?, last_error = null,
                     next_attempt_at = null, delivered_at = now(), failed_at = null
               where id = ?)
       update webhook_endpoints set last_success_at = now(), failing_since = null, consecutive_failures = 0
        where id = ? and (failing_since is not null or consecutive_failures > 0 or last_success_at is null
                          or last_success_at < now() - interval '1 second')`,
      [...attemptRow, attempt, round, result.status, message.id, endpoint.id],
    );
    return { kind: 'succeeded', attempt };
  }

  await em.transactional(async (tx) => {
    await tx.execute(INSERT_ATTEMPT, attemptRow);
    const status = retryAt ? 'pending' : 'failed';
    await settle(tx, message.id, { status, error: errorText(result), attempts: attempt, round, responseStatus: result.status, retryAt });
    const ref = { endpointId: endpoint.id, url: endpoint.url };
    const base = { tenantId: message.tenant_id, organizationId: endpoint.organizationId, target: { type: 'webhook_endpoint', id: endpoint.id } };
    const [health]: { failing_since: string | Date; started: boolean; enabled: boolean }[] = await tx.execute(
      `update webhook_endpoints e set last_failure_at = now(), consecutive_failures = consecutive_failures + 1,
              failing_since = coalesce(failing_since, now())
        where id = ?
        returning failing_since, failing_since = now() as started, enabled`,
      [endpoint.id],
    );
    if (health?.started) {
      recordEvent(tx, SYSTEM_ACTOR, WebhookEvents.of('webhook.endpoint.failing', { ...base,data: { ...ref, responseStatus: result.status, error: result.error } }));
    }
    const failingTooLong = health && Date.now() - new Date(health.failing_since).getTime() >= settings.WEBHOOK_DISABLE_AFTER;
    if (health?.enabled && (gone || failingTooLong)) {
      const reason = gone ? 'gone' : 'failing';
      await tx.execute(
        `update webhook_endpoints set enabled = false, disabled_reason = ?, disabled_at = now(), updated_at = now() where id = ?`,
        [reason, endpoint.id],
      );
      recordEvent(tx, SYSTEM_ACTOR, WebhookEvents.of('webhook.endpoint.disabled', {
        ...base,
        data: { ...ref, reason, failingSince: new Date(health.failing_since).toISOString() },
      }));
    }
    if (status === 'failed') {
      recordEvent(tx, SYSTEM_ACTOR, WebhookEvents.of('webhook.message.dead_lettered', {
        ...base,
        target: { type: 'webhook_message', id: message.id },
        data: { endpointId: endpoint.id, messageId: message.id, eventType: message.event_type, attempts: attempt },
      }));
    }
    await tx.flush();
  });
  if (retryAt) return { kind: 'retry', attempt, at: retryAt };
  return { kind: 'dead', attempt, reason: gone ? 'gone' : 'exhausted' };
}

/**
 * A success at an endpoint the claim saw failing: the same statement as the common case, plus its
 * `webhook.endpoint.recovered` event, written only by the statement that clears `failing_since`
 * (two workers succeeding at once record it once). Healthy endpoints never take this path, so a
 * busy endpoint's deliveries write no event each (an event per delivery would itself be delivered
 * to the tenant's other endpoints, each delivery making another).
 */
async function recordRecovery(em: EntityManager, message: ClaimedMessage, endpoint: DeliveryEndpoint, attemptRow: unknown[], attempt: number, round: number, responseStatus: number | null): Promise<void> {
  const event = eventCtes(
    eventRows(SYSTEM_ACTOR, WebhookEvents.of('webhook.endpoint.recovered', {
      tenantId: message.tenant_id,
      organizationId: endpoint.organizationId,
      target: { type: 'webhook_endpoint', id: endpoint.id },
      data: { endpointId: endpoint.id, url: endpoint.url, failingSince: endpoint.failingSince!.toISOString() },
    })),
    'ev',
    'exists (select 1 from recovered)',
  );
  await em.execute(
    `with attempt as (${INSERT_ATTEMPT}),
          message as (
            update webhook_messages set status = 'succeeded', attempts = ?, round_attempts = ?, claimed_until = null,
                   updated_at = now(), last_attempt_at = now(), last_response_status = ?, last_error = null,
                   next_attempt_at = null, delivered_at = now(), failed_at = null
             where id = ?),
          recovered as (
            update webhook_endpoints set last_success_at = now(), failing_since = null, consecutive_failures = 0
             where id = ? and failing_since is not null
            returning id),
          ${event.ctes.join(',\n          ')}
     select 1`,
    [...attemptRow, attempt, round, responseStatus, message.id, endpoint.id, ...event.params],
  );
}

const INSERT_ATTEMPT = `insert into webhook_attempts
  (id, tenant_id, message_id, endpoint_id, attempt, trigger, status, response_status, response_body, error, latency_ms, created_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())`;

function errorText(result: SendResult): string | null {
  if (result.ok) return null;
  if (result.error) return result.errorKind === 'refused' ? `refused: ${result.error}` : result.error;
  return `HTTP ${result.status}`;
}

async function settle(
  em: EntityManager,
  messageId: string,
  s: { status: string; error: string | null; attempts: number; round: number; responseStatus: number | null; retryAt?: Date | null },
): Promise<void> {
  await em.execute(
    `update webhook_messages set status = ?, attempts = ?, round_attempts = ?, claimed_until = null, updated_at = now(),
            last_attempt_at = case when ? then now() else last_attempt_at end,
            last_response_status = coalesce(?, last_response_status), last_error = ?,
            next_attempt_at = ?,
            delivered_at = case when ? = 'succeeded' then now() else delivered_at end,
            failed_at = case when ? = 'failed' then now() else null end
      where id = ?`,
    [s.status, s.attempts, s.round, s.responseStatus !== null || s.error !== 'endpoint disabled', s.responseStatus, s.error, s.retryAt ?? null, s.status, s.status, messageId],
  );
}
