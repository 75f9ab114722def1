import { LockMode } from '@mikro-orm/core';
import { CommonErrors, decodeCursor, isUuid, recordEvent, requirePrincipal, toPage, uuidv7, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { ApiKey } from './entities';
import { CredentialErrors } from './errors';
import { creatorOf, credentialPrincipal, iso, ownedByExistingOrganization } from './common';
import { apiKeyPrefix, newApiKey } from './secrets';
import { MAX_KEY_LIFETIME_DAYS, type ApiKeyDto, type CreateApiKeyInput } from './schemas';
import { CredentialEvents } from './events';

export type ApiKeyRow = InferEntity<typeof ApiKey>;

const DAY_MS = 86_400_000;

export function apiKeyStatus(row: ApiKeyRow, now = Date.now()): ApiKeyDto['status'] {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

export function toApiKeyDto(row: ApiKeyRow, now = Date.now()): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: apiKeyPrefix(row.publicId),
    role: row.role,
    organizationId: row.organizationId ?? null,
    status: apiKeyStatus(row, now),
    createdBy: { type: row.createdByType, id: row.createdById ?? null },
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

/** `expiresAt` or `expiresInDays` (not both), in the future and within the longest lifetime. */
function expiryOf(input: Pick<CreateApiKeyInput, 'expiresAt' | 'expiresInDays'>, now: number): Date | null {
  const invalid = (path: string, message: string) => CommonErrors.VALIDATION_FAILED({ fields: [{ path, message }] });
  if (input.expiresAt !== undefined && input.expiresInDays !== undefined) throw invalid('expiresInDays', 'Give expiresAt or expiresInDays, not both');
  if (input.expiresInDays !== undefined) return new Date(now + input.expiresInDays * DAY_MS);
  if (input.expiresAt === undefined) return null;
  const at = new Date(input.expiresAt);
  if (at.getTime() <= now) throw invalid('expiresAt', 'Must be in the future');
  if (at.getTime() > now + MAX_KEY_LIFETIME_DAYS * DAY_MS) throw invalid('expiresAt', `At most ${MAX_KEY_LIFETIME_DAYS} days ahead`);
  return at;
}

/**
 * Creates a key acting with `role`; returns the key once. Needs api_keys:write where the key will
 * act — tenant-wide, or in its organization (so organization owners make their organization's
 * keys) — and every permission the role carries there.
 */
export async function createApiKey(sc: ServiceContext, input: CreateApiKeyInput): Promise<ApiKeyDto & { key: string }> {
  const organizationId = input.organizationId ?? null;
  await sc.authz.require('api_keys:write', { organizationId });
  await sc.authz.requireCanConfer(input.role, { organizationId, field: 'role' });
  const caller = requirePrincipal(sc);
  const now = Date.now();
  const expiresAt = expiryOf(input, now);
  const secret = newApiKey();
  return ownedByExistingOrganization(sc.em.transactional(async (tx) => {
    const row = tx.create(ApiKey, {
      id: uuidv7(now),
      tenantId: sc.tenant.id,
      organizationId,
      name: input.name,
      publicId: secret.publicId,
      secretHash: secret.hash,
      role: input.role,
      ...creatorOf(caller),
      createdAt: new Date(now),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      lastRejectedAt: null,
    });
    recordEvent(tx, sc.actor, CredentialEvents.of('api_key.created', {
      tenantId: sc.tenant.id,
      organizationId,
      target: { type: 'api_key', id: row.id },
      data: { name: row.name, prefix: secret.prefix, role: row.role, organizationId, expiresAt: iso(expiresAt) },
    }));
    await tx.flush();
    return { ...toApiKeyDto(row, now), key: secret.key };
  }));
}

/** Needs api_keys:read tenant-wide, or in the organization whose keys are listed. */
export async function listApiKeys(sc: ServiceContext, query: { limit: number; cursor?: string; organizationId?: string }) {
  await sc.authz.require('api_keys:read', { organizationId: query.organizationId });
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(
    ApiKey,
    { tenantId: sc.tenant.id, ...(after ? { id: { $lt: after } } : {}), ...(query.organizationId ? { organizationId: query.organizationId } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  const now = Date.now();
  return toPage(rows, query.limit, (row) => toApiKeyDto(row, now));
}

/**
 * Revokes a key of the caller's tenant (idempotent: revoking it again changes and records nothing).
 * Needs api_keys:write where the key acts, and to outrank it: nobody ends a credential stronger than themselves.
 */
export async function revokeApiKey(sc: ServiceContext, id: string): Promise<ApiKeyDto> {
  return sc.em.transactional(async (tx) => {
    const row = isUuid(id) ? await tx.findOne(ApiKey, { id, tenantId: sc.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!row) {
      await sc.authz.require('api_keys:write');
      throw CredentialErrors.API_KEY_NOT_FOUND();
    }
    await sc.authz.require('api_keys:write', { organizationId: row.organizationId });
    await sc.authz.requireOutranks(credentialPrincipal('api_key', row.id, row.tenantId, row.organizationId ?? null, [row.role]), { organizationId: row.organizationId, field: 'id' });
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      recordEvent(tx, sc.actor, CredentialEvents.of('api_key.revoked', {
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'api_key', id: row.id },
        data: { name: row.name, prefix: apiKeyPrefix(row.publicId) },
      }));
      await tx.flush();
    }
    return toApiKeyDto(row);
  });
}
