import { AccessTokenRejected, AccessTokenVerifier, CommonErrors, type EntityManager, type InferEntity, type Principal, type ServiceRegistry } from '@plinto/kernel';
import type { Session } from '../entities/user.entity';
import { tokenServicesOf, type Revoke } from '../tokens/services';

export type SessionRow = InferEntity<typeof Session>;

/**
 * Ends sessions in the caller's transaction: the session rows, their refresh-token families and
 * (through `revoke`) their access tokens, which stop verifying as soon as the revocation is
 * published. Locks the session rows, so a refresh racing this either finished before (its
 * successor is revoked here) or sees the session revoked.
 */
export async function revokeSessions(
  tx: EntityManager,
  revoke: Revoke,
  where: { userId: string; sessionIds?: string[]; exceptSessionId?: string },
  reason: string,
): Promise<string[]> {
  const params: unknown[] = [reason, where.userId];
  let filter = '';
  if (where.sessionIds) {
    if (where.sessionIds.length === 0) return [];
    filter += ` and id in (${where.sessionIds.map(() => '?').join(', ')})`;
    params.push(...where.sessionIds);
  }
  if (where.exceptSessionId) {
    filter += ' and id <> ?';
    params.push(where.exceptSessionId);
  }
  const rows = await tx.execute<{ id: string; tenant_id: string }[]>(
    `update sessions set revoked_at = now(), revoked_reason = ?
      where user_id = ? and revoked_at is null${filter} returning id, tenant_id`,
    params,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  await tx.execute(
    `update refresh_tokens set status = 'revoked', successor_sealed = null
      where session_id in (${ids.map(() => '?').join(', ')}) and status <> 'revoked'`,
    ids,
  );
  await revoke(rows.map((r) => ({ key: `sid:${r.id}`, tenantId: r.tenant_id })));
  return ids;
}

/** Ends every live session of a user (except `keepSessionId`); returns how many. */
export async function revokeUserSessions(tx: EntityManager, revoke: Revoke, userId: string, reason: string, keepSessionId?: string): Promise<number> {
  return (await revokeSessions(tx, revoke, { userId, exceptSessionId: keepSessionId }, reason)).length;
}

const refused = (message: string) => CommonErrors.UNAUTHENTICATED({ message, details: { reason: 'claims' } });

/**
 * Resolves `Authorization: Bearer <JWT>` through the one verifier. Null when the bearer is not a
 * JWT (other credential kinds are tried); a JWT that fails verification is refused outright, and a
 * revocation check that cannot be answered refuses too (fail closed). Beyond the signature, a user
 * token's claims must agree with what we know: it names a session (`sid`) that exists and belongs
 * to its subject in its tenant — a validly signed token pointing at someone else's session, or at
 * none, is refused.
 */
export async function authenticateAccessToken(em: EntityManager, services: ServiceRegistry, bearer: string): Promise<Principal | null> {
  if (!AccessTokenVerifier.looksLikeJwt(bearer)) return null;
  const tokens = tokenServicesOf({ services });
  let verified;
  try {
    verified = await tokens.verifier.verify(bearer);
  } catch (error) {
    if (error instanceof AccessTokenRejected) throw CommonErrors.UNAUTHENTICATED({ message: error.message, details: { reason: error.reason } });
    // Neither Redis nor PostgreSQL could say whether the token is revoked.
    throw CommonErrors.SERVICE_UNAVAILABLE({ message: 'Token revocation cannot be checked right now' });
  }
  const { claims, tenantId } = verified;
  // A machine client's token names its client and no session; an application's token (issued to
  // a user through OpenID Connect) names both, and is the user's.
  const machine = claims.client_id !== undefined && claims.sid === undefined;
  if (!machine) {
    if (typeof claims.sid !== 'string') throw refused('The token names no session');
    const owner = await tokens.sessionOwner(em, claims.sid);
    if (!owner || owner.userId !== claims.sub || owner.tenantId !== tenantId) throw refused("The token's session is not its subject's");
  }
  if (machine) {
    return {
      kind: 'machine_client',
      id: claims.sub,
      tenantId,
      attributes: { clientId: claims.client_id, roles: claims.roles ?? [], scope: claims.scope ?? '', organizationId: claims.org_id ?? null, tokenId: claims.jti },
    };
  }
  return {
    kind: 'user',
    id: claims.sub,
    tenantId,
    attributes: {
      sessionId: claims.sid,
      amr: claims.amr ?? [],
      aal: claims.aal ?? 1,
      organizationId: claims.org_id ?? null,
      organizationRole: claims.org_role ?? null,
      tokenId: claims.jti,
      expiresAt: claims.exp,
    },
  };
}
