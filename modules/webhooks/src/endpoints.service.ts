import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import {
  decodeCursor,
  recordEvent,
  toPage,
  uuidv7,
  type Config,
  type EntityManager,
  type InferEntity,
  type ServiceContext,
} from '@plinto/kernel';
import { endpointFor } from './access';
import { WebhookEndpoint } from './entities/webhook.entities';
import { WebhookErrors } from './errors';
import { webhookConfig } from './config';
import { secretBox } from './secrets';
import { generateSecret } from './signing';
import { checkUrlShape, DestinationRefused } from '@plinto/kernel';
import type { EndpointDto } from './webhook.schemas';
import { WebhookEvents } from './events';

export type EndpointRow = InferEntity<typeof WebhookEndpoint>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface AttemptStats {
  succeeded: number;
  failed: number;
}

const NO_ATTEMPTS: AttemptStats = { succeeded: 0, failed: 0 };

/** Attempts of the last 24 hours per endpoint, for the health block (one query per page). */
async function attemptStats(em: EntityManager, endpointIds: string[]): Promise<Map<string, AttemptStats>> {
  const stats = new Map<string, AttemptStats>();
  if (endpointIds.length === 0) return stats;
  const rows: { endpoint_id: string; succeeded: number; failed: number }[] = await em.execute(
    `select endpoint_id, count(*) filter (where status = 'succeeded')::int as succeeded, count(*) filter (where status = 'failed')::int as failed
       from webhook_attempts
      where endpoint_id in (${endpointIds.map(() => '?').join(', ')}) and created_at > now() - interval '24 hours'
      group by endpoint_id`,
    endpointIds,
  );
  for (const r of rows) stats.set(r.endpoint_id, { succeeded: r.succeeded, failed: r.failed });
  return stats;
}

async function withStats(em: EntityManager, row: EndpointRow): Promise<EndpointDto> {
  return toEndpointDto(row, new Date(), (await attemptStats(em, [row.id])).get(row.id));
}

export function toEndpointDto(row: EndpointRow, now = new Date(), stats: AttemptStats = NO_ATTEMPTS): EndpointDto {
  const previousLive = row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null;
  return {
    id: row.id,
    tenantId: row.tenantId,
    organizationId: row.organizationId ?? null,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    disabledReason: (row.disabledReason as EndpointDto['disabledReason']) ?? null,
    disabledAt: iso(row.disabledAt),
    metadata: row.metadata,
    previousSecretExpiresAt: iso(previousLive),
    health: {
      status: !row.enabled ? 'disabled' : row.failingSince ? 'failing' : row.lastSuccessAt ? 'healthy' : 'new',
      failingSince: iso(row.failingSince),
      lastSuccessAt: iso(row.lastSuccessAt),
      lastFailureAt: iso(row.lastFailureAt),
      consecutiveFailures: row.consecutiveFailures,
      last24h: stats,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Refuses URLs that can never be delivered to (bad scheme, credentials, private IP literal). */
function assertDeliverableUrl(config: Config, url: string): void {
  try {
    checkUrlShape(url, webhookConfig(config).WEBHOOK_ALLOWED_HOSTS);
  } catch (error) {
    if (error instanceof DestinationRefused) {
      throw WebhookErrors.WEBHOOK_URL_NOT_ALLOWED({ message: error.message, fields: [{ path: 'url', message: error.message, code: error.reason }] });
    }
    throw error;
  }
}

/** Tenant-scoped load: another tenant's endpoint is the same 404 as a missing one. */
export async function loadEndpoint(em: EntityManager, tenantId: string, id: string): Promise<EndpointRow> {
  const row = await em.findOne(WebhookEndpoint, { id, tenantId });
  if (!row) throw WebhookErrors.WEBHOOK_ENDPOINT_NOT_FOUND();
  return row;
}

export interface EndpointInput {
  url: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
  metadata?: Record<string, string>;
  organizationId?: string | null;
  secret?: string;
}

/**
 * An endpoint scoped to an organization must name one of its tenant's (a foreign key declared by
 * @plinto/orgs): a violation is the caller's 404 on `organizationId`.
 */
async function inExistingOrganization<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ForeignKeyConstraintViolationException) {
      throw WebhookErrors.WEBHOOK_ORGANIZATION_NOT_FOUND({ fields: [{ path: 'organizationId', message: 'No such organization in this tenant' }] });
    }
    throw error;
  }
}

const dedupe = (types: string[]) => [...new Set(types)].sort();

/** Needs webhooks:write where it delivers (tenant-wide, or in its organization). */
export async function createEndpoint(sc: ServiceContext, input: EndpointInput) {
  await sc.authz.require('webhooks:write', { organizationId: input.organizationId });
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  assertDeliverableUrl(config, input.url);
  const secret = input.secret ?? generateSecret();
  return inExistingOrganization(em.transactional(async (tx) => {
    const now = new Date();
    const enabled = input.enabled ?? true;
    const row = tx.create(WebhookEndpoint, {
      id: uuidv7(now.getTime()),
      tenantId,
      organizationId: input.organizationId ?? null,
      url: input.url,
      description: input.description ?? '',
      eventTypes: dedupe(input.eventTypes ?? []),
      enabled,
      disabledReason: enabled ? null : 'manual',
      disabledAt: enabled ? null : now,
      metadata: input.metadata ?? {},
      secretSealed: secretBox(config).seal(secret),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      lastSuccessAt: null,
      lastFailureAt: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    });
    recordEvent(tx, actor, WebhookEvents.of('webhook.endpoint.created', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'webhook_endpoint', id: row.id },
      data: { endpointId: row.id, url: row.url },
    }));
    await tx.flush();
    return { ...toEndpointDto(row, now), secret };
  }));
}

/** Needs webhooks:read tenant-wide. */
export async function listEndpoints(sc: ServiceContext, query: { limit: number; cursor?: string; enabled?: boolean }) {
  await sc.authz.require('webhooks:read');
  const { em } = sc;
  const tenantId = sc.tenant.id;
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    WebhookEndpoint,
    { tenantId, ...(after ? { id: { $lt: after } } : {}), ...(query.enabled !== undefined ? { enabled: query.enabled } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  const stats = await attemptStats(em, rows.slice(0, query.limit).map((r) => r.id));
  return toPage(rows, query.limit, (row) => toEndpointDto(row, new Date(), stats.get(row.id)));
}

/** Needs webhooks:read where it delivers. */
export async function getEndpoint(sc: ServiceContext, id: string): Promise<EndpointDto> {
  return withStats(sc.em, await endpointFor(sc, sc.em, id, 'webhooks:read'));
}

/** Needs webhooks:write where it delivers now (and where it would deliver, when moved). */
export async function updateEndpoint(sc: ServiceContext, id: string, patch: Omit<Partial<EndpointInput>, 'secret'>): Promise<EndpointDto> {
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  if (patch.organizationId !== undefined) await sc.authz.require('webhooks:write', { organizationId: patch.organizationId });
  if (patch.url !== undefined) assertDeliverableUrl(config, patch.url);
  return inExistingOrganization(em.transactional(async (tx) => {
    const row = await endpointFor(sc, tx, id, 'webhooks:write');
    const now = new Date();
    const changes: string[] = [];
    const set = <K extends keyof EndpointRow>(key: K, value: EndpointRow[K] | undefined) => {
      if (value === undefined || JSON.stringify(value) === JSON.stringify(row[key])) return;
      row[key] = value;
      changes.push(key as string);
    };
    set('url', patch.url);
    set('description', patch.description);
    set('eventTypes', patch.eventTypes && dedupe(patch.eventTypes));
    set('metadata', patch.metadata);
    set('organizationId', patch.organizationId);
    const target = { type: 'webhook_endpoint', id: row.id };
    if (patch.enabled !== undefined && patch.enabled !== row.enabled) {
      row.enabled = patch.enabled;
      row.disabledReason = patch.enabled ? null : 'manual';
      row.disabledAt = patch.enabled ? null : now;
      // Enabling starts a clean slate: the failure streak that disabled it is over.
      if (patch.enabled) Object.assign(row, { failingSince: null, consecutiveFailures: 0 });
      recordEvent(tx, actor, WebhookEvents.of(patch.enabled ? 'webhook.endpoint.enabled' : 'webhook.endpoint.disabled', {
        tenantId,
        organizationId: row.organizationId,
        target,
        data: { endpointId: row.id, url: row.url, ...(patch.enabled ? {} : { reason: 'manual', failingSince: null }) },
      }));
    }
    if (changes.length > 0) {
      recordEvent(tx, actor, WebhookEvents.of('webhook.endpoint.updated', {
        tenantId,
        organizationId: row.organizationId,
        target,
        data: { endpointId: row.id, url: row.url, changes },
      }));
    }
    row.updatedAt = now;
    await tx.flush();
    return withStats(tx, row);
  }));
}

/** Needs webhooks:write where it delivers. */
export async function deleteEndpoint(sc: ServiceContext, id: string): Promise<{ id: string; deleted: true }> {
  const { em, actor } = sc;
  const tenantId = sc.tenant.id;
  return em.transactional(async (tx) => {
    const row = await endpointFor(sc, tx, id, 'webhooks:write');
    recordEvent(tx, actor, WebhookEvents.of('webhook.endpoint.deleted', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'webhook_endpoint', id: row.id },
      data: { endpointId: row.id, url: row.url },
    }));
    tx.remove(row);
    await tx.flush();
    return { id, deleted: true as const };
  });
}

/**
 * Replaces the signing secret. The old one keeps signing (a second `v1,` signature) until the
 * overlap ends, so receivers can switch at their own pace; `overlapMs: 0` revokes it at once.
 */
export async function rotateSecret(sc: ServiceContext, id: string, input: { overlapSeconds?: number; secret?: string }) {
  const { em, config, actor } = sc;
  const tenantId = sc.tenant.id;
  const overlapMs = input.overlapSeconds !== undefined ? input.overlapSeconds * 1000 : webhookConfig(config).WEBHOOK_ROTATION_OVERLAP;
  const secret = input.secret ?? generateSecret();
  return em.transactional(async (tx) => {
    const row = await endpointFor(sc, tx, id, 'webhooks:write');
    const now = new Date();
    row.previousSecretSealed = overlapMs > 0 ? row.secretSealed : null;
    row.previousSecretExpiresAt = overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null;
    row.secretSealed = secretBox(config).seal(secret);
    row.updatedAt = now;
    recordEvent(tx, actor, WebhookEvents.of('webhook.endpoint.secret_rotated', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'webhook_endpoint', id: row.id },
      data: { endpointId: row.id, url: row.url, previousSecretExpiresAt: iso(row.previousSecretExpiresAt) },
    }));
    await tx.flush();
    return { ...(await withStats(tx, row)), secret };
  });
}

/** The secrets that sign a delivery now: the current one, plus the previous one during its overlap. */
export function signingSecrets(config: Config, row: Pick<EndpointRow, 'secretSealed' | 'previousSecretSealed' | 'previousSecretExpiresAt'>, now = new Date()): string[] {
  const box = secretBox(config);
  const secrets = [box.open(row.secretSealed)];
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) secrets.push(box.open(row.previousSecretSealed));
  return secrets;
}
