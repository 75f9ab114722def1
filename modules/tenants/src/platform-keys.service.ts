import { randomToken, recordEvent, sha256, uuidv7, SYSTEM_ACTOR, type EntityManager, type Principal } from '@plinto/kernel';
import { PlatformApiKey } from './entities/tenant.entity';
import { TenantEvents } from './events';

const KEY_PREFIX = 'plk_';
/** last_used_at is refreshed at most this often, so busy keys do not turn every call into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function generatePlatformKey(): string {
  return `${KEY_PREFIX}${randomToken(32)}`;
}

/** Resolves a bearer token to a platform operator, or null if it is not a live platform key. */
export async function authenticatePlatformKey(em: EntityManager, token: string): Promise<Principal | null> {
  const row = await em.findOne(PlatformApiKey, { keyHash: sha256(token), revokedAt: null }, { disableIdentityMap: true });
  if (!row) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
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
      if (!existing) insertKey(tx, 'bootstrap (PLINTO_BOOTSTRAP_API_KEY)', bootstrapKey);
      else if (existing.revokedAt) existing.revokedAt = null;
      await tx.flush();
      return null;
    }
    const live = await tx.count(PlatformApiKey, { revokedAt: null });
    if (live > 0) return null;
    const key = generatePlatformKey();
    insertKey(tx, 'bootstrap (generated at first start)', key);
    await tx.flush();
    return key;
  });
}

function insertKey(em: EntityManager, name: string, key: string): void {
  const id = uuidv7();
  em.create(PlatformApiKey, {
    id,
    name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    keyHash: sha256(key),
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  });
  recordEvent(em, SYSTEM_ACTOR, TenantEvents.of('platform_api_key.created', {
    tenantId: null,
    target: { type: 'platform_api_key', id },
    data: { name },
  }));
}
