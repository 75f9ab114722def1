import { fastQuery, randomToken, recordEvent, sha256, uuidv7, SYSTEM_ACTOR, type Actor, type EntityManager, type InferEntity, type Principal } from '@plinto/kernel';
import { PlatformApiKey } from './entities/tenant.entity';
import { TenantEvents } from './events';

const KEY_PREFIX = 'plk_';
/** Characters of a key kept in the clear (after `plk_`), so listings can tell keys apart. */
export const platformKeyPrefixOf = (key: string): string => key.slice(0, KEY_PREFIX.length + 6);
/** last_used_at is refreshed at most this often, so busy keys do not turn every call into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function generatePlatformKey(): string {
  return `${KEY_PREFIX}${randomToken(32)}`;
}

/**
 * Resolves a bearer token to a platform operator, or null if it is not a live platform key. A
 * prepared statement, not MikroORM's findOne: every call an operator's automation makes starts here.
 */
export async function authenticatePlatformKey(em: EntityManager, token: string): Promise<Principal | null> {
  const [row] = await fastQuery<{ id: string; name: string; prefix: string; last_used_at: string | null }>(
    em,
    'select id, name, prefix, last_used_at from platform_api_keys where key_hash = ? and revoked_at is null',
    [sha256(token)],
    'plinto_platform_key_auth',
  );
  if (!row) return null;
  const now = Date.now();
  if (!row.last_used_at || now - new Date(row.last_used_at).getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(PlatformApiKey, { id: row.id }, { lastUsedAt: new Date(now) });
  }
  return { kind: 'platform_operator', id: row.id, tenantId: null, attributes: { name: row.name, prefix: row.prefix } };
}

/**
 * Makes sure an operator can get in after start:
 * - with `bootstrapKey` set, a key with that value exists (created if missing);
 * - otherwise, when no live key exists at all, one is generated and returned so the caller can
 *   print it once. Keys are stored only as hashes, so it can never be shown again.
 */
export async function ensureBootstrapKey(em: EntityManager, bootstrapKey: string | undefined): Promise<string | null> {
  return em.transactional(async (tx) => {
    // One process at a time: two api processes booting together must not both generate a key.
    await tx.execute('select pg_advisory_xact_lock(7080108) ');
    if (bootstrapKey) {
      const existing = await tx.findOne(PlatformApiKey, { keyHash: sha256(bootstrapKey) });
      if (!existing) {
        insertKey(tx, 'bootstrap (PLINTO_BOOTSTRAP_API_KEY)', bootstrapKey);
        await tx.flush();
        return null;
      }
      // A revoked key stays revoked: reviving it at the next restart would undo an operator's
      // revocation of a leaked key. Without any live key left, one is generated below instead.
      if (!existing.revokedAt) return null;
    }
    const live = await tx.count(PlatformApiKey, { revokedAt: null });
    if (live > 0) return null;
    const key = generatePlatformKey();
    insertKey(tx, 'bootstrap (generated at first start)', key);
    await tx.flush();
    return key;
  });
}

/** Stores a key (its hash and prefix only) and records its creation; answers its id. */
export function insertKey(em: EntityManager, name: string, key: string, actor: Actor = SYSTEM_ACTOR): InferEntity<typeof PlatformApiKey> {
  const id = uuidv7();
  const row = em.create(PlatformApiKey, {
    id,
    name,
    prefix: platformKeyPrefixOf(key),
    keyHash: sha256(key),
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  });
  recordEvent(em, actor, TenantEvents.of('platform_api_key.created', {
    tenantId: null,
    target: { type: 'platform_api_key', id },
    data: { name },
  }));
  return row;
}
