import { recordEvent, requirePrincipal, requireUser, type Principal, type ServiceContext } from '@plinto/kernel';
import { AuthEvents } from '../events';
import { revokeSessionById } from '../oauth/endpoints';
import { withRevocations } from '../tokens/services';
import { listSessions, liveSessionOf } from './session-list.service';
import { revokeSessions } from './sessions.service';
import { getUserSnapshot, loadUser, toUserDto } from './users.service';

/**
 * Sessions, as their owners and tenant admins see and end them. The signed-in user's own sessions
 * need no permission; anyone else's need sessions:read / sessions:revoke and, to end them, to
 * outrank their user (ending an owner's sessions is as much a takeover step as disabling them).
 */
const currentSessionOf = (principal: Principal) => principal.attributes.sessionId as string | undefined;

/** The current principal: user and session, API key, machine client or operator. */
export async function me(sc: ServiceContext) {
  const principal = requirePrincipal(sc);
  const a = principal.attributes;
  const base = { kind: principal.kind, id: principal.id, tenantId: principal.tenantId };
  if (principal.kind === 'user' && principal.tenantId) {
    const session = { id: a.sessionId as string, amr: (a.amr as string[]) ?? [], aal: Number(a.aal ?? 1), organizationId: (a.organizationId as string | null) ?? null };
    return { ...base, user: toUserDto(await loadUser(sc.em, sc.tenant.id, principal.id)), session };
  }
  if (principal.kind === 'api_key' || principal.kind === 'machine_client') {
    return { ...base, organizationId: (a.organizationId as string | null) ?? null, roles: (a.roles as string[]) ?? [] };
  }
  return base;
}

/** The signed-in user and how this session authenticated. */
export async function currentSession(sc: ServiceContext) {
  const user = requireUser(sc);
  const attributes = user.attributes as { sessionId: string; amr: string[]; aal: number };
  // The signed-in user by one prepared statement (the session check is a hot path).
  return { sessionId: attributes.sessionId, amr: attributes.amr, aal: attributes.aal, user: await getUserSnapshot(sc.em, sc.tenant.id, user.id) };
}

export async function listMySessions(sc: ServiceContext, page: { limit: number; cursor?: string }) {
  const user = requireUser(sc);
  return listSessions(sc.em, sc.tenant.id, user.id, page, currentSessionOf(user));
}

export async function revokeMySession(sc: ServiceContext, sessionId: string): Promise<{ revoked: true }> {
  const user = requireUser(sc);
  await liveSessionOf(sc.em, sc.tenant.id, user.id, sessionId);
  await revokeSessionById(sc, user.id, sessionId, 'user_revoked');
  return { revoked: true };
}

export async function revokeOtherSessions(sc: ServiceContext): Promise<{ revoked: number }> {
  const user = requireUser(sc);
  return { revoked: await endSessions(sc, user.id, currentSessionOf(user), 'user_revoked_others') };
}

/** Sign out: end this session (refresh family and access tokens). */
export async function signOut(sc: ServiceContext): Promise<{ signedOut: true }> {
  const user = requireUser(sc);
  const current = currentSessionOf(user);
  if (current) await revokeSessionById(sc, user.id, current, 'signed_out');
  return { signedOut: true };
}

/** Tenant admins: a user's live sessions; needs sessions:read. */
export async function listUserSessions(sc: ServiceContext, userId: string, page: { limit: number; cursor?: string }) {
  await sc.authz.require('sessions:read');
  await loadUser(sc.em, sc.tenant.id, userId);
  return listSessions(sc.em, sc.tenant.id, userId, page);
}

async function revocableUser(sc: ServiceContext, userId: string): Promise<void> {
  await sc.authz.require('sessions:revoke');
  await loadUser(sc.em, sc.tenant.id, userId);
  await sc.authz.requireOutranks({ kind: 'user', id: userId }, { field: 'userId' });
}

/** Tenant admins: end one of a user's sessions; needs sessions:revoke and to outrank the user. */
export async function revokeUserSession(sc: ServiceContext, userId: string, sessionId: string): Promise<{ revoked: true }> {
  await revocableUser(sc, userId);
  await liveSessionOf(sc.em, sc.tenant.id, userId, sessionId);
  await revokeSessionById(sc, userId, sessionId, 'admin_revoked', sc.actor);
  return { revoked: true };
}

/** Tenant admins: end every session of a user; needs sessions:revoke and to outrank the user. */
export async function revokeAllUserSessions(sc: ServiceContext, userId: string): Promise<{ revoked: number }> {
  await revocableUser(sc, userId);
  return { revoked: await endSessions(sc, userId, undefined, 'admin_revoked_all') };
}

async function endSessions(sc: ServiceContext, userIdToEnd: string, keepSessionId: string | undefined, reason: string): Promise<number> {
  return withRevocations(sc, async (tx, revoke) => {
    const ended = await revokeSessions(tx, revoke, { userId: userIdToEnd, exceptSessionId: keepSessionId }, reason);
    if (ended.length > 0) {
      recordEvent(tx, sc.actor, AuthEvents.of('session.revoked_all', {
        tenantId: sc.tenant.id,
        target: { type: 'user', id: userIdToEnd },
        data: { userId: userIdToEnd, sessionIds: ended, reason, keptSessionId: keepSessionId ?? null },
      }));
      await tx.flush();
    }
    return ended.length;
  });
}
