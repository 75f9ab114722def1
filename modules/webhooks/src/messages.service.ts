import { LockMode } from '@mikro-orm/core';
import { decodeCursor, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { WebhookAttempt, WebhookMessage } from './entities/webhook.entities';
import { WebhookErrors } from './errors';
import { endpointFor } from './access';
import { queueDeliveries } from './outbox';
import { webhookConfig } from './config';
import type { MessageDto } from './webhook.schemas';
import { WebhookEvents } from './events';

type MessageRow = InferEntity<typeof WebhookMessage>;
type AttemptRow = InferEntity<typeof WebhookAttempt>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const ATTEMPTS_SHOWN = 100;

function toMessageDto(row: MessageRow, attempts: AttemptRow[]): MessageDto {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId ?? null,
    eventType: row.eventType,
    status: row.status,
    trigger: row.trigger,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastResponseStatus: row.lastResponseStatus ?? null,
    lastError: row.lastError ?? null,
    deliveredAt: iso(row.deliveredAt),
    failedAt: iso(row.failedAt),
    createdAt: row.createdAt.toISOString(),
    payload: JSON.parse(row.body) as Record<string, unknown>,
    deliveryAttempts: attempts.slice(-ATTEMPTS_SHOWN).map((a) => ({
      id: a.id,
      attempt: a.attempt,
      trigger: a.trigger,
      status: a.status,
      responseStatus: a.responseStatus ?? null,
      responseBody: a.responseBody ?? null,
      error: a.error ?? null,
      latencyMs: a.latencyMs,
      createdAt: a.createdAt.toISOString(),
    })),
  };
}

/** Messages with their attempts (one query for all attempts of the page). */
async function withAttempts(em: EntityManager, rows: MessageRow[], limit: number) {
  const attempts = rows.length
    ? await em.find(WebhookAttempt, { messageId: { $in: rows.map((r) => r.id) } }, { orderBy: { id: 'asc' } })
    : [];
  const byMessage = new Map<string, AttemptRow[]>();
  for (const a of attempts) byMessage.set(a.messageId, [...(byMessage.get(a.messageId) ?? []), a]);
  return toPage(rows, limit, (row) => toMessageDto(row, byMessage.get(row.id) ?? []));
}

/** An endpoint's messages with their attempts; needs webhooks:read where it delivers. */
export async function listEndpointMessages(
  sc: ServiceContext,
  endpointId: string,
  query: { limit: number; cursor?: string; status?: MessageRow['status']; eventType?: string },
) {
  const { em } = sc;
  const tenantId = sc.tenant.id;
  await endpointFor(sc, em, endpointId, 'webhooks:read');
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    WebhookMessage,
    {
      tenantId,
      endpointId,
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.eventType ? { eventType: query.eventType } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return withAttempts(em, rows, query.limit);
}

/** Dead letters: messages that exhausted their retries (or whose endpoint was disabled), newest first. */
export async function listDeadLetters(sc: ServiceContext, query: { limit: number; cursor?: string; endpointId?: string; since?: string }) {
  await sc.authz.require('webhooks:read');
  const { em } = sc;
  const tenantId = sc.tenant.id;
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    WebhookMessage,
    {
      tenantId,
      status: 'failed',
      ...(query.endpointId ? { endpointId: query.endpointId } : {}),
      ...(query.since ? { failedAt: { $gte: new Date(query.since) } } : {}),
      ...(after ? { id: { $lt: after } } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return withAttempts(em, rows, query.limit);
}

async function loadMessage(em: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<MessageRow> {
  // Replays lock the row, so two concurrent replays of one message cannot both queue it.
  const row = await em.findOne(WebhookMessage, { id, tenantId }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!row) throw WebhookErrors.WEBHOOK_MESSAGE_NOT_FOUND();
  return row;
}

/** Needs webhooks:read where its endpoint delivers. */
export async function getMessage(sc: ServiceContext, id: string): Promise<MessageDto> {
  const row = await loadMessage(sc.em, sc.tenant.id, id);
  await endpointFor(sc, sc.em, row.endpointId, 'webhooks:read');
  return messageDto(sc.em, row);
}

const messageDto = async (em: EntityManager, row: MessageRow): Promise<MessageDto> => (await withAttempts(em, [row], 1)).items[0]!;

/** Sends any past message again (delivered or dead), with a fresh retry schedule and the same webhook-id. */
export async function replayMessage(sc: ServiceContext, id: string): Promise<MessageDto> {
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  const firstDelay = webhookConfig(config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
  await em.transactional(async (tx) => {
    const row = await loadMessage(tx, tenantId, id, true);
    const endpoint = await endpointFor(sc, tx, row.endpointId, 'webhooks:write');
    if (row.status === 'pending' || row.status === 'delivering') throw WebhookErrors.WEBHOOK_MESSAGE_IN_FLIGHT();
    if (!endpoint.enabled) throw WebhookErrors.WEBHOOK_ENDPOINT_DISABLED();
    const availableAt = new Date(Date.now() + firstDelay);
    Object.assign(row, { status: 'pending', trigger: 'replay', roundAttempts: 0, nextAttemptAt: availableAt, failedAt: null, updatedAt: new Date() });
    await tx.flush();
    await queueDeliveries(tx, [{ messageId: row.id, tenantId }], availableAt);
    recordEvent(tx, actor, WebhookEvents.of('webhook.message.replayed', {
      tenantId,
      organizationId: endpoint.organizationId,
      target: { type: 'webhook_message', id: row.id },
      data: { endpointId: endpoint.id, messageIds: [row.id], count: 1 },
    }));
    await tx.flush();
  });
  const fresh = em.fork();
  return messageDto(fresh, await loadMessage(fresh, tenantId, id));
}

/** Replays every dead letter of an endpoint created at or after `since`. */
export async function recoverEndpoint(sc: ServiceContext, endpointId: string, input: { since: string; until?: string }): Promise<{ count: number }> {
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  const firstDelay = webhookConfig(config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
  return em.transactional(async (tx) => {
    const endpoint = await endpointFor(sc, tx, endpointId, 'webhooks:write');
    if (!endpoint.enabled) throw WebhookErrors.WEBHOOK_ENDPOINT_DISABLED();
    const availableAt = new Date(Date.now() + firstDelay);
    const rows: { id: string }[] = await tx.execute(
      `update webhook_messages
          set status = 'pending', trigger = 'recover', round_attempts = 0, next_attempt_at = ?, failed_at = null, updated_at = now()
        where tenant_id = ? and endpoint_id = ? and status = 'failed' and created_at >= ? and created_at <= ?
        returning id`,
      [availableAt, tenantId, endpointId, new Date(input.since), input.until ? new Date(input.until) : new Date()],
    );
    await queueDeliveries(tx, rows.map((r) => ({ messageId: r.id, tenantId })), availableAt);
    recordEvent(tx, actor, WebhookEvents.of('webhook.message.replayed', {
      tenantId,
      organizationId: endpoint.organizationId,
      target: { type: 'webhook_endpoint', id: endpoint.id },
      data: { endpointId: endpoint.id, count: rows.length, since: input.since },
    }));
    await tx.flush();
    return { count: rows.length };
  });
}

/** Queues a message of `eventType` (default `webhook.test`) to one endpoint, to check it end to end. */
export async function sendTestMessage(sc: ServiceContext, endpointId: string, input: { eventType?: string; data?: Record<string, unknown> }): Promise<MessageDto> {
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  const firstDelay = webhookConfig(config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
  const id = await em.transactional(async (tx) => {
    const endpoint = await endpointFor(sc, tx, endpointId, 'webhooks:write');
    if (!endpoint.enabled) throw WebhookErrors.WEBHOOK_ENDPOINT_DISABLED();
    const now = new Date();
    const messageId = uuidv7(now.getTime());
    const type = input.eventType ?? 'webhook.test';
    const body = JSON.stringify({
      id: messageId,
      type,
      timestamp: now.toISOString(),
      tenantId,
      organizationId: endpoint.organizationId,
      actor: { type: actor.type, id: actor.id },
      target: { type: 'webhook_endpoint', id: endpoint.id },
      data: input.data ?? { message: 'A test message from Plinto' },
    });
    const availableAt = new Date(now.getTime() + firstDelay);
    tx.create(WebhookMessage, {
      id: messageId,
      tenantId,
      endpointId,
      eventId: null,
      eventType: type,
      body,
      status: 'pending',
      trigger: 'test',
      attempts: 0,
      roundAttempts: 0,
      nextAttemptAt: availableAt,
      claimedUntil: null,
      lastAttemptAt: null,
      lastResponseStatus: null,
      lastError: null,
      deliveredAt: null,
      failedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await queueDeliveries(tx, [{ messageId, tenantId }], availableAt);
    recordEvent(tx, actor, WebhookEvents.of('webhook.endpoint.tested', {
      tenantId,
      organizationId: endpoint.organizationId,
      target: { type: 'webhook_endpoint', id: endpoint.id },
      data: { endpointId: endpoint.id, url: endpoint.url, messageId, eventType: type },
    }));
    await tx.flush();
    return messageId;
  });
  const fresh = em.fork();
  return messageDto(fresh, await loadMessage(fresh, tenantId, id));
}
