import { LockMode } from '@mikro-orm/core';
import { CommonErrors, decodeCursor, isUuid, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity } from '@plinto/kernel';
import { assertCanConferRole, engineOf, type AuthzCaller } from '@plinto/authz';
import { ApiKey } from './entities';
import { CredentialErrors } from './errors';
import { actorOf, creatorOf, iso, ownedByExistingOrganization } from './common';
import { apiKeyPrefix, newApiKey } from './secrets';
import { MAX_KEY_LIFETIME_DAYS, type ApiKeyDto, type CreateApiKeyInput } from './schemas';

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

/** Creates a key acting with `role` (which the caller must fully hold); returns the key once. */
export async function createApiKey(em: EntityManager, caller: AuthzCaller, input: CreateApiKeyInput): Promise<ApiKeyDto & { key: string }> {
  const now = Date.now();
  const expiresAt = expiryOf(input, now);
  const organizationId = input.organizationId ?? null;
  await assertCanConferRole(em, engineOf(em), caller, input.role, organizationId, 'role');
  const secret = newApiKey();
  return ownedByExistingOrganization(em.transactional(async (tx) => {
    const row = tx.create(ApiKey, {
      id: uuidv7(now),
      tenantId: caller.tenant.id,
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
    recordEvent(tx, actorOf(caller), {
      action: 'api_key.created',
      tenantId: caller.tenant.id,
      organizationId,
      target: { type: 'api_key', id: row.id },
      data: { name: row.name, prefix: secret.prefix, role: row.role, organizationId, expiresAt: iso(expiresAt) },
    });
    await tx.flush();
    return { ...toApiKeyDto(row, now), key: secret.key };
  }));
}

export async function listApiKeys(em: EntityManager, tenantId: string, query: { limit: number; cursor?: string; organizationId?: string }) {
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    ApiKey,
    { tenantId, ...(after ? { id: { $lt: after } } : {}), ...(query.organizationId ? { organizationId: query.organizationId } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  const now = Date.now();
  return toPage(rows, query.limit, (row) => toApiKeyDto(row, now));
}

/** Revokes a key of the caller's tenant (idempotent: revoking it again changes and records nothing). */
export async function revokeApiKey(em: EntityManager, caller: AuthzCaller, id: string): Promise<ApiKeyDto> {
  return em.transactional(async (tx) => {
    const row = isUuid(id) ? await tx.findOne(ApiKey, { id, tenantId: caller.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!row) throw CredentialErrors.API_KEY_NOT_FOUND();
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      recordEvent(tx, actorOf(caller), {
        action: 'api_key.revoked',
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'api_key', id: row.id },
        data: { name: row.name, prefix: apiKeyPrefix(row.publicId) },
      });
      await tx.flush();
    }
    return toApiKeyDto(row);
  });
}
