import { createHash, createPrivateKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { secretBoxFor, type Config, type EntityManager } from '@plinto/kernel';
import type { IdTokenAlg } from './entities';

/**
 * ID-token keys. Each application picks the algorithm of its ID tokens
 * (`idTokenSignedResponseAlg`): RS256 — which OIDC Core §15.1 requires every provider to offer, and
 * the default — ES256 or EdDSA. A tenant has one current key per algorithm in use, in its own table
 * (`oidc_id_token_keys`), never in `signing_keys`: the access-token verifier only reads the latter,
 * so an ID token can never pass for an access token, whatever its algorithm.
 *
 * They live like the access-token keys (tokens/signing-keys.ts) and rotate with them, in the same
 * transaction: `current` (signs new ID tokens) → `previous` (still published in the JWKS until
 * every ID token it signed has expired, `retire_after`) → `retired`. Private keys are sealed under
 * PLINTO_MASTER_KEY, bound to their kid (the RFC 7638 thumbprint).
 */
const SEALING_PURPOSE = 'id-token-keys';
/** A rotation in another process reaches this one within this long (the old key keeps verifying meanwhile), as for access-token keys. */
const SIGNER_TTL_MS = 60_000;
const generate = promisify(generateKeyPair);

interface IdTokenSigner {
  kid: string;
  alg: IdTokenAlg;
  key: KeyObject;
}

export interface RotatedIdTokenKey {
  alg: IdTokenAlg;
  kid: string;
  previousKid: string;
}

async function newKeyPair(alg: IdTokenAlg) {
  // Asynchronous: RSA key generation takes tens of milliseconds, which must not block the process.
  if (alg === 'RS256') return generate('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generate('ec', { namedCurve: 'P-256' });
  return generate('ed25519');
}

/** Inserts a new current key of `alg` unless the tenant has one (the partial unique index makes a concurrent insert a no-op). */
async function insertCurrentKey(em: EntityManager, config: Config, tenantId: string, alg: IdTokenAlg, now: Date): Promise<string> {
  const pair = await newKeyPair(alg);
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const sealed = secretBoxFor(config, SEALING_PURPOSE).seal(JSON.stringify(pair.privateKey.export({ format: 'jwk' })), kid);
  await em.execute(
    `insert into oidc_id_token_keys (kid, tenant_id, alg, public_jwk, private_key_sealed, status, created_at)
     values (?, ?, ?, ?, ?, 'current', ?) on conflict do nothing`,
    [kid, tenantId, alg, JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }), sealed, now],
  );
  return kid;
}

type CurrentKeyRow = { kid: string; private_key_sealed: string };

const selectCurrent = (em: EntityManager, tenantId: string, alg: IdTokenAlg) =>
  em.execute<CurrentKeyRow[]>(`select kid, private_key_sealed from oidc_id_token_keys where tenant_id = ? and alg = ? and status = 'current'`, [tenantId, alg]);

/** The tenant's current ID-token key of `alg`, created on first need (concurrent callers end up with one). */
export async function ensureCurrentIdTokenKey(em: EntityManager, config: Config, tenantId: string, alg: IdTokenAlg): Promise<CurrentKeyRow> {
  let [row] = await selectCurrent(em, tenantId, alg);
  if (!row) {
    await insertCurrentKey(em, config, tenantId, alg, new Date());
    [row] = await selectCurrent(em, tenantId, alg);
  }
  if (!row) throw new Error(`No current ${alg} ID-token key for tenant ${tenantId}`);
  return row;
}

/**
 * Called by the tenant's signing-key rotation, in its transaction: every algorithm with a current
 * ID-token key gets a new one; the old one becomes `previous` until `retireAfter` (when every ID
 * token it signed has expired — ID tokens live no longer than access tokens).
 */
export async function rotateIdTokenKeys(tx: EntityManager, config: Config, tenantId: string, now: Date, retireAfter: Date): Promise<RotatedIdTokenKey[]> {
  // Locked: two rotations at once take turns, each leaving exactly one current key per algorithm.
  const olds = await tx.execute<{ kid: string; alg: IdTokenAlg }[]>(
    `select kid, alg from oidc_id_token_keys where tenant_id = ? and status = 'current' for update`,
    [tenantId],
  );
  const rotated: RotatedIdTokenKey[] = [];
  for (const old of olds) {
    await tx.execute(`update oidc_id_token_keys set status = 'previous', rotated_at = ?, retire_after = ? where kid = ?`, [now, retireAfter, old.kid]);
    rotated.push({ alg: old.alg, kid: await insertCurrentKey(tx, config, tenantId, old.alg, now), previousKid: old.kid });
  }
  return rotated;
}

/** Retires `previous` ID-token keys whose ID tokens have all expired (they leave the JWKS). */
export function retireExpiredIdTokenKeys(tx: EntityManager): Promise<{ kid: string; tenant_id: string; alg: IdTokenAlg }[]> {
  return tx.execute(
    `update oidc_id_token_keys set status = 'retired', retired_at = now()
      where status = 'previous' and retire_after <= now() returning kid, tenant_id, alg`,
  );
}

const signers = new Map<string, { at: number; signer: Promise<IdTokenSigner> }>();
const signerKey = (tenantId: string, alg: IdTokenAlg) => `${tenantId}\u0000${alg}`;

function idTokenSigner(em: EntityManager, config: Config, tenantId: string, alg: IdTokenAlg): Promise<IdTokenSigner> {
  const key = signerKey(tenantId, alg);
  const cached = signers.get(key);
  if (cached && cached.at > Date.now() - SIGNER_TTL_MS) return cached.signer;
  const signer = (async (): Promise<IdTokenSigner> => {
    const row = await ensureCurrentIdTokenKey(em, config, tenantId, alg);
    const jwk = JSON.parse(secretBoxFor(config, SEALING_PURPOSE).open(row.private_key_sealed, row.kid)) as JWK;
    return { kid: row.kid, alg, key: createPrivateKey({ key: jwk as never, format: 'jwk' }) };
  })();
  signers.set(key, { at: Date.now(), signer });
  signer.catch(() => signers.delete(key));
  return signer;
}

/** Forgets this process's ID-token signers of a tenant (after a rotation here; other processes follow within SIGNER_TTL_MS). */
export function forgetIdTokenSigners(tenantId: string): void {
  for (const key of signers.keys()) if (key.startsWith(`${tenantId}\u0000`)) signers.delete(key);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs an ID token (a JWT, `typ: JWT`) with the tenant's current key of the application's algorithm. */
export async function signIdToken(deps: { em: EntityManager; config: Config }, tenantId: string, alg: IdTokenAlg, payload: Record<string, unknown>): Promise<string> {
  const signer = await idTokenSigner(deps.em, deps.config, tenantId, alg);
  const input = Buffer.from(`${b64url({ alg, kid: signer.kid, typ: 'JWT' })}.${b64url(payload)}`);
  const signature =
    alg === 'EdDSA'
      ? sign(null, input, signer.key)
      : // ES256 signatures are raw r||s (RFC 7518 §3.4), not DER.
        sign('sha256', input, alg === 'ES256' ? { key: signer.key, dsaEncoding: 'ieee-p1363' } : signer.key);
  return `${input.toString()}.${signature.toString('base64url')}`;
}

/**
 * OIDC Core §3.1.3.6 `at_hash`: the left half of the hash of the access token, with the hash of the
 * ID token's algorithm (SHA-256 for RS256/ES256; SHA-512 for EdDSA over Ed25519, as relying parties
 * such as openid-client compute it).
 */
export function atHash(accessToken: string, alg: IdTokenAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
