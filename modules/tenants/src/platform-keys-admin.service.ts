import { CommonErrors, decodeCursor, recordEvent, requirePlatformOperator, toPage, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { PlatformApiKey, PlatformOperatorSession } from './entities/tenant.entity';
import { TenantErrors } from './errors';
import { TenantEvents } from './events';
import { generatePlatformKey, insertKey } from './platform-keys.service';

/**
 * Platform operators manage the installation's platform keys: list them (never their secret — only
 * a hash is stored), create one (the secret is answered once), revoke one. A revoked key stops at
 * once: bearer calls and console sessions both look the key up on every call, and its console
 * sessions are also marked ended. Two guards keep operators from locking themselves out: the last
 * live key cannot be revoked, and the key the caller is using needs `confirmOwnKey`.
 */
type KeyRow = InferEntity<typeof PlatformApiKey>;

export interface PlatformKeyDto {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The key the caller is signed in with (or calling with). */
  current: boolean;
}

const toDto = (row: KeyRow, callerKeyId: string): PlatformKeyDto => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  status: row.revokedAt ? 'revoked' : 'active',
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  current: row.id === callerKeyId,
});

export async function listPlatformKeys(sc: ServiceContext, query: { limit: number; cursor?: string; status?: 'active' | 'revoked' }) {
  const operator = requirePlatformOperator(sc);
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(
    PlatformApiKey,
    {
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.status === 'active' ? { revokedAt: null } : query.status === 'revoked' ? { revokedAt: { $ne: null } } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, (row) => toDto(row, operator.id));
}

export async function createPlatformKey(sc: ServiceContext, input: { name: string }): Promise<PlatformKeyDto & { key: string }> {
  const operator = requirePlatformOperator(sc);
  const key = generatePlatformKey();
  const row = insertKey(sc.em, input.name, key, sc.actor);
  await sc.em.flush();
  return { ...toDto(row, operator.id), key };
}

export async function revokePlatformKey(sc: ServiceContext, input: { id: string; confirmOwnKey?: boolean }): Promise<PlatformKeyDto> {
  const operator = requirePlatformOperator(sc);
  return sc.em.transactional(async (tx) => {
    // Every live key locked in one order: two operators revoking the last two keys at once
    // take turns, and the second sees it would leave none.
    const live = await tx.getConnection().execute<{ id: string }[]>('select id from platform_api_keys where revoked_at is null order by id for update');
    const row = await tx.findOne(PlatformApiKey, { id: input.id });
    if (!row) throw CommonErrors.NOT_FOUND({ message: 'No such platform key', fields: [{ path: 'id', message: 'No such platform key' }] });
    if (row.revokedAt) return toDto(row, operator.id);
    if (live.length <= 1) throw TenantErrors.LAST_PLATFORM_KEY({ fields: [{ path: 'id', message: 'The last live platform key cannot be revoked: create another one first' }] });
    if (row.id === operator.id && !input.confirmOwnKey) {
      throw TenantErrors.OWN_PLATFORM_KEY({ fields: [{ path: 'confirmOwnKey', message: 'This is the key you are using: confirm to revoke it and end your own session' }] });
    }
    const now = new Date();
    row.revokedAt = now;
    const sessionsEnded = await tx.nativeUpdate(PlatformOperatorSession, { keyId: row.id, endedAt: null, expiresAt: { $gt: now } }, { endedAt: now });
    recordEvent(tx, sc.actor, TenantEvents.of('platform_api_key.revoked', {
      tenantId: null,
      target: { type: 'platform_api_key', id: row.id },
      data: { name: row.name, prefix: row.prefix, sessionsEnded },
    }));
    await tx.flush();
    return toDto(row, operator.id);
  });
}
