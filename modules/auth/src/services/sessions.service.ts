import { randomToken, sha256, uuidv7, type Config, type EntityManager, type Principal, type RequestMeta } from '@plinto/kernel';
import { Session, User } from '../entities/user.entity';
import { authConfig } from '../config';

/** Prefix of opaque session tokens, so `authenticate` can tell them from other bearer credentials. */
export const SESSION_TOKEN_PREFIX = 'pls_';
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedSession {
  id: string;
  token: string;
  amr: string[];
  aal: number;
  expiresAt: string;
}

/** Persists a session in `em`'s transaction (flushed by the caller). The token is returned once. */
export function createSession(em: EntityManager, config: Config, input: { tenantId: string; userId: string; amr: string[]; request: RequestMeta }): CreatedSession {
  const now = new Date();
  const token = `${SESSION_TOKEN_PREFIX}${randomToken(32)}`;
  const expiresAt = new Date(now.getTime() + authConfig(config).AUTH_SESSION_TTL_HOURS * 3600_000);
  // Two factors of different kinds (e.g. pwd + otp) make AAL2 (NIST SP 800-63B).
  const aal = input.amr.length >= 2 ? 2 : 1;
  const row = em.create(Session, {
    id: uuidv7(now.getTime()),
    tenantId: input.tenantId,
    userId: input.userId,
    tokenHash: sha256(token),
    amr: input.amr,
    aal,
    ip: input.request.ip,
    userAgent: input.request.userAgent,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    revokedAt: null,
    revokedReason: null,
  });
  return { id: row.id, token, amr: input.amr, aal, expiresAt: expiresAt.toISOString() };
}

/** Revokes the user's live sessions (except `keepSessionId`); returns how many. */
export async function revokeUserSessions(em: EntityManager, userId: string, reason: string, keepSessionId?: string): Promise<number> {
  return em.nativeUpdate(
    Session,
    { userId, revokedAt: null, ...(keepSessionId ? { id: { $ne: keepSessionId } } : {}) },
    { revokedAt: new Date(), revokedReason: reason },
  );
}

/**
 * Resolves `Authorization: Bearer pls_...` to the signed-in user. INTERIM: the next issue replaces
 * this with JWT access tokens bound to the same session rows; the session table stays.
 */
export async function authenticateSession(em: EntityManager, token: string): Promise<Principal | null> {
  if (!token.startsWith(SESSION_TOKEN_PREFIX)) return null;
  const session = await em.findOne(Session, { tokenHash: sha256(token), revokedAt: null }, { disableIdentityMap: true });
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now) return null;
  const user = await em.findOne(User, { id: session.userId, tenantId: session.tenantId }, { disableIdentityMap: true });
  if (!user || user.disabledAt) return null;
  if (now - session.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(Session, { id: session.id }, { lastUsedAt: new Date(now) });
  }
  return {
    kind: 'user',
    id: user.id,
    tenantId: session.tenantId,
    attributes: { sessionId: session.id, amr: session.amr, aal: session.aal, email: user.email },
  };
}
