import type { JWK } from 'jose';
import type { Config, EntityManager } from '@plinto/kernel';
import { ensureCurrentKey } from '../tokens/signing-keys';
import { ensureCurrentIdTokenKey } from '../oidc/id-token-keys';

interface PublishedRow {
  public_jwk: JWK;
  part: number;
  alg: string;
  status: string;
}

/**
 * Every key the tenant publishes, in one indexed query (the JWKS is what every new edge isolate and
 * every cold verifier fetches first, so its answer time is on their critical path): the access-token
 * keys (current and rotated-out-but-not-retired, newest first), then the ID-token keys (current and
 * previous of every algorithm in use). Read on every request, never cached here, so a rotation in any
 * process is published at once.
 */
const selectPublished = (em: EntityManager, tenantId: string) =>
  em.execute<PublishedRow[]>(
    `select public_jwk, 0 as part, '' as alg, status, created_at from signing_keys
      where tenant_id = ? and status in ('current', 'previous')
     union all
     select public_jwk, 1 as part, alg, status, created_at from oidc_id_token_keys
      where tenant_id = ? and status in ('current', 'previous')
     order by part, alg desc, created_at desc`,
    [tenantId, tenantId],
  );

/**
 * The tenant's JWK Set. Its first keys are created on first need: an access-token key, and the
 * RS256 ID-token key (RS256 is every application's default, so it is published from the start).
 */
export async function jwksDocument(deps: { em: EntityManager; config: Config; tenant: { id: string } }): Promise<{ keys: JWK[] }> {
  let rows = await selectPublished(deps.em, deps.tenant.id);
  const hasCurrent = (part: number, alg: string) => rows.some((r) => r.part === part && r.alg === alg && r.status === 'current');
  if (!hasCurrent(0, '') || !hasCurrent(1, 'RS256')) {
    await ensureCurrentKey(deps.em, deps.config, deps.tenant.id);
    await ensureCurrentIdTokenKey(deps.em, deps.config, deps.tenant.id, 'RS256');
    rows = await selectPublished(deps.em, deps.tenant.id);
  }
  return { keys: rows.map((r) => r.public_jwk) };
}
