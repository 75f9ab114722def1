import { auditActor, recordEvent, sha256, uuidv7, type EntityManager, type Principal, type RequestMeta } from '@plinto/kernel';
import { PlatformApiKey, PlatformOperatorSession } from './entities/tenant.entity';
import { TenantEvents } from './events';

/**
 * Console sign-in for platform operators. The operator pastes a platform key once into the
 * console's sign-in form; it is checked here and exchanged for a server-side session the browser
 * holds only as an HttpOnly cookie (the api's transport seals its id). The session acts as the
 * key's operator and ends when it expires, when the operator signs out, or when the key is revoked.
 */
export interface OperatorSession {
  sessionId: string;
  expiresAt: Date;
  principal: Principal;
}

const principalOf = (key: { id: string; name: string; prefix: string }, sessionId: string): Principal => ({
  kind: 'platform_operator',
  id: key.id,
  tenantId: null,
  attributes: { name: key.name, prefix: key.prefix, operatorSessionId: sessionId },
});

/** Exchanges a platform key for a session; null (and an audited failure) when it is not a live key. */
export async function startOperatorSession(em: EntityManager, key: string, request: RequestMeta, ttlHours: number): Promise<OperatorSession | null> {
  const row = typeof key === 'string' && key.length <= 200 ? await em.findOne(PlatformApiKey, { keyHash: sha256(key), revokedAt: null }) : null;
  if (!row) {
    recordEvent(em, auditActor(request, null), TenantEvents.of('platform_operator.sign_in_failed', {
      tenantId: null,
      outcome: 'failure',
      data: { reason: 'invalid_key' },
    }));
    await em.flush();
    return null;
  }
  const now = new Date();
  const session = em.create(PlatformOperatorSession, {
    id: uuidv7(),
    keyId: row.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000),
    endedAt: null,
    ip: request.ip,
    userAgent: request.userAgent,
  });
  row.lastUsedAt = now;
  const principal = principalOf(row, session.id);
  recordEvent(em, auditActor(request, principal), TenantEvents.of('platform_operator.signed_in', {
    tenantId: null,
    target: { type: 'platform_operator_session', id: session.id },
    data: { keyName: row.name, keyPrefix: row.prefix },
  }));
  await em.flush();
  return { sessionId: session.id, expiresAt: session.expiresAt, principal };
}

/** The operator of a live session (not ended, not expired, its key not revoked), or null. */
export async function authenticateOperatorSession(em: EntityManager, sessionId: string): Promise<OperatorSession | null> {
  const session = await em.findOne(PlatformOperatorSession, { id: sessionId, endedAt: null, expiresAt: { $gt: new Date() } }, { disableIdentityMap: true });
  if (!session) return null;
  const key = await em.findOne(PlatformApiKey, { id: session.keyId, revokedAt: null }, { disableIdentityMap: true });
  if (!key) return null;
  return { sessionId: session.id, expiresAt: session.expiresAt, principal: principalOf(key, session.id) };
}

/** Ends a session (sign-out); answers whether one was live. */
export async function endOperatorSession(em: EntityManager, sessionId: string, request: RequestMeta): Promise<boolean> {
  const live = await authenticateOperatorSession(em, sessionId);
  if (!live) return false;
  await em.nativeUpdate(PlatformOperatorSession, { id: sessionId }, { endedAt: new Date() });
  recordEvent(em, auditActor(request, live.principal), TenantEvents.of('platform_operator.signed_out', {
    tenantId: null,
    target: { type: 'platform_operator_session', id: sessionId },
    data: {},
  }));
  await em.flush();
  return true;
}
