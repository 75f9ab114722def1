import { createHash, createPrivateKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { secretBoxFor, type Config, type EntityManager } from '@plinto/kernel';
import type { TokenServices } from '../tokens/services';
import type { IdTokenAlg } from './entities';

/**
 * ID tokens. OIDC Core §15.1 requires a provider to support RS256, which Plinto's access-token keys
 * (EdDSA or ES256) are not: each tenant gets one RSA key, used for ID tokens only. It is published
 * in the JWKS beside the access-token keys but lives in its own table, so the access-token verifier
 * — which looks keys up in `signing_keys` — can never accept an RS256 token. Applications may ask for
 * their ID tokens in the tenant's own algorithm instead (`idTokenAlg`).
 */
const SEALING_PURPOSE = 'id-token-keys';
const generate = promisify(generateKeyPair);

interface RsaKey {
  kid: string;
  key: KeyObject;
}

const cache = new Map<string, Promise<RsaKey>>();

export async function rsaPublicJwks(em: EntityManager, config: Config, tenantId: string): Promise<JWK[]> {
  await rsaSigner(em, config, tenantId);
  const rows = await em.execute<{ public_jwk: JWK }[]>('select public_jwk from oidc_id_token_keys where tenant_id = ?', [tenantId]);
  return rows.map((r) => r.public_jwk);
}

function rsaSigner(em: EntityManager, config: Config, tenantId: string): Promise<RsaKey> {
  const cached = cache.get(tenantId);
  if (cached) return cached;
  const loading = (async () => {
    const box = secretBoxFor(config, SEALING_PURPOSE);
    let [row] = await em.execute<{ kid: string; private_key_sealed: string }[]>('select kid, private_key_sealed from oidc_id_token_keys where tenant_id = ?', [tenantId]);
    if (!row) {
      const pair = await generate('rsa', { modulusLength: 2048 });
      const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
      const kid = await calculateJwkThumbprint(publicJwk);
      const sealed = box.seal(JSON.stringify(pair.privateKey.export({ format: 'jwk' })), kid);
      // One key per tenant (unique tenant_id): a concurrent creator's key wins and is read back.
      await em.execute(
        `insert into oidc_id_token_keys (kid, tenant_id, alg, public_jwk, private_key_sealed) values (?, ?, 'RS256', ?, ?) on conflict (tenant_id) do nothing`,
        [kid, tenantId, JSON.stringify({ ...publicJwk, kid, alg: 'RS256', use: 'sig' }), sealed],
      );
      [row] = await em.execute<{ kid: string; private_key_sealed: string }[]>('select kid, private_key_sealed from oidc_id_token_keys where tenant_id = ?', [tenantId]);
    }
    const jwk = JSON.parse(box.open(row!.private_key_sealed, row!.kid)) as JWK;
    return { kid: row!.kid, key: createPrivateKey({ key: jwk as never, format: 'jwk' }) };
  })();
  cache.set(tenantId, loading);
  loading.catch(() => cache.delete(tenantId));
  return loading;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a JWT (ID token, `typ: JWT`) with the algorithm the application chose. */
export async function signIdToken(deps: { em: EntityManager; config: Config; tokens: TokenServices }, tenantId: string, alg: IdTokenAlg, payload: Record<string, unknown>): Promise<string> {
  if (alg === 'RS256') {
    const signer = await rsaSigner(deps.em, deps.config, tenantId);
    const input = `${b64url({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })}.${b64url(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), signer.key).toString('base64url')}`;
  }
  const signer = await deps.tokens.keyring.signer(tenantId);
  const input = `${b64url({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })}.${b64url(payload)}`;
  const signature = signer.alg === 'EdDSA' ? sign(null, Buffer.from(input), signer.key) : sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** The algorithm an application's ID tokens get: RS256, or the tenant's current key's algorithm. */
export async function idTokenAlgOf(tokens: TokenServices, tenantId: string, wanted: IdTokenAlg): Promise<IdTokenAlg> {
  return wanted === 'RS256' ? 'RS256' : (await tokens.keyring.signer(tenantId)).alg;
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
