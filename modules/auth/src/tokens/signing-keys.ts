import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { recordEvent, secretBoxFor, type Actor, type Config, type EntityManager, type InferEntity } from '@plinto/kernel';
import { authConfig } from '../config';
import { SigningKey } from './entities';
import { AuthEvents } from '../events';
import { retireExpiredIdTokenKeys, rotateIdTokenKeys } from '../oidc/id-token-keys';

/**
 * A tenant's JWT signing keys. Life of a key: `current` (signs new access tokens) → `previous`
 * (rotated out; still published in the JWKS so tokens it signed keep verifying) → `retired` (once
 * every token it signed has expired: `retire_after` = rotation + access-token lifetime + leeway).
 * Private keys are sealed with AES-256-GCM under a key derived from PLINTO_MASTER_KEY, bound to
 * their kid. A tenant's first key is created on first need (issuing or publishing), race-safe.
 * The tenant's ID-token keys (oidc/id-token-keys.ts, their own table) rotate and retire with these.
 */
export type SigningKeyRow = InferEntity<typeof SigningKey>;
const SEALING_PURPOSE = 'signing-keys';
const RETIRE_LEEWAY_MS = 60_000;

function generateKey(alg: 'EdDSA' | 'ES256') {
  const pair = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicJwk: pair.publicKey.export({ format: 'jwk' }) as JWK, privateJwk: pair.privateKey.export({ format: 'jwk' }) as JWK };
}

async function newKeyValues(config: Config, tenantId: string, now: Date) {
  const alg = authConfig(config).AUTH_SIGNING_ALG;
  const { publicJwk, privateJwk } = generateKey(alg);
  // The RFC 7638 thumbprint: unique per key, and a verifier can recompute it.
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    tenantId,
    alg,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    privateKeySealed: secretBoxFor(config, SEALING_PURPOSE).seal(JSON.stringify(privateJwk), kid),
    status: 'current' as const,
    createdAt: now,
    rotatedAt: null,
    retireAfter: null,
    retiredAt: null,
  };
}

export function openPrivateJwk(config: Config, key: Pick<SigningKeyRow, 'kid' | 'privateKeySealed'>): JWK {
  return JSON.parse(secretBoxFor(config, SEALING_PURPOSE).open(key.privateKeySealed, key.kid)) as JWK;
}

/** The tenant's current key, created when it has none (concurrent callers end up with one key). */
export async function ensureCurrentKey(em: EntityManager, config: Config, tenantId: string): Promise<SigningKeyRow> {
  const existing = await em.findOne(SigningKey, { tenantId, status: 'current' }, { disableIdentityMap: true });
  if (existing) return existing;
  const values = await newKeyValues(config, tenantId, new Date());
  // The partial unique index (one current key per tenant) makes a concurrent insert a no-op.
  await em.execute(
    `insert into signing_keys (kid, tenant_id, alg, public_jwk, private_key_sealed, status, created_at)
     values (?, ?, ?, ?, ?, 'current', ?) on conflict do nothing`,
    [values.kid, tenantId, values.alg, JSON.stringify(values.publicJwk), values.privateKeySealed, values.createdAt],
  );
  const current = await em.findOne(SigningKey, { tenantId, status: 'current' }, { disableIdentityMap: true });
  if (!current) throw new Error(`No current signing key for tenant ${tenantId}`);
  return current;
}

/** Keys published in the JWKS and accepted for verification: current and previous. */
export async function publishedKeys(em: EntityManager, tenantId: string): Promise<SigningKeyRow[]> {
  return em.find(SigningKey, { tenantId, status: { $in: ['current', 'previous'] } }, { orderBy: { createdAt: 'desc' }, disableIdentityMap: true });
}

/**
 * Makes a new current key; the old one becomes `previous` until its tokens have expired. Locks the
 * current row so two rotations at once produce one new key each in turn, never two current keys.
 */
export async function rotateSigningKey(em: EntityManager, config: Config, tenantId: string, actor: Actor, reason: 'scheduled' | 'manual'): Promise<SigningKeyRow> {
  await ensureCurrentKey(em, config, tenantId);
  return em.transactional(async (tx) => {
    const now = new Date();
    const [old] = await tx.execute<{ kid: string }[]>(`select kid from signing_keys where tenant_id = ? and status = 'current' for update`, [tenantId]);
    const retireAfter = new Date(now.getTime() + authConfig(config).AUTH_ACCESS_TOKEN_TTL_SECONDS * 1000 + RETIRE_LEEWAY_MS);
    if (old) await tx.nativeUpdate(SigningKey, { kid: old.kid }, { status: 'previous', rotatedAt: now, retireAfter });
    const values = await newKeyValues(config, tenantId, now);
    const key = tx.create(SigningKey, values);
    // ID tokens live no longer than access tokens: the same overlap serves them.
    const idTokenKeys = await rotateIdTokenKeys(tx, config, tenantId, now, retireAfter);
    recordEvent(tx, actor, AuthEvents.of('signing_key.rotated', {
      tenantId,
      target: { type: 'signing_key', id: key.kid },
      data: { kid: key.kid, alg: key.alg, previousKid: old?.kid ?? null, reason, previousRetiresAfter: retireAfter.toISOString(), idTokenKeys },
    }));
    await tx.flush();
    return key;
  });
}

/** Retires `previous` keys (access-token and ID-token) whose tokens have all expired; returns how many. */
export async function retireExpiredKeys(em: EntityManager, actor: Actor): Promise<number> {
  return em.transactional(async (tx) => {
    const retired = await tx.execute<{ kid: string; tenant_id: string }[]>(
      `update signing_keys set status = 'retired', retired_at = now()
        where status = 'previous' and retire_after <= now() returning kid, tenant_id`,
    );
    for (const row of retired) {
      recordEvent(tx, actor, AuthEvents.of('signing_key.retired', { tenantId: row.tenant_id, target: { type: 'signing_key', id: row.kid }, data: { kid: row.kid } }));
    }
    const idTokenKeys = await retireExpiredIdTokenKeys(tx);
    for (const row of idTokenKeys) {
      recordEvent(tx, actor, AuthEvents.of('signing_key.retired', { tenantId: row.tenant_id, target: { type: 'signing_key', id: row.kid }, data: { kid: row.kid, use: 'id_token', alg: row.alg } }));
    }
    await tx.flush();
    return retired.length + idTokenKeys.length;
  });
}

/** Tenants whose current key is older than the rotation period (or that have no key yet). */
export async function tenantsDueForRotation(em: EntityManager, config: Config): Promise<{ tenantId: string; hasKey: boolean }[]> {
  const rows = await em.execute<{ id: string; kid: string | null }[]>(
    `select t.id, k.kid from tenants t
       left join signing_keys k on k.tenant_id = t.id and k.status = 'current'
      where t.status = 'active' and (k.kid is null or k.created_at < now() - make_interval(days => ?))`,
    [authConfig(config).AUTH_SIGNING_KEY_ROTATION_DAYS],
  );
  return rows.map((r) => ({ tenantId: r.id, hasKey: r.kid !== null }));
}
