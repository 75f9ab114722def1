import { eventCtes, eventRows, fastQuery, randomToken, sha256, uuidv7, type EntityManager } from '@plinto/kernel';
import { tenantLifetimes } from './tenant-settings';
import { REFRESH_TOKEN_PREFIX } from '../tokens/refresh';
import { sessionTokens } from '../tokens/issue';
import { tokenServicesOf } from '../tokens/services';
import type { AuthDeps } from './deps';
import { userActor } from './deps';
import { AuthEvents } from '../events';
import { assuranceLevel } from './assurance';

export interface StartedSession {
  id: string;
  userId: string;
  amr: string[];
  aal: number;
  organizationId: string | null;
  refreshToken: string;
}

/**
 * Starts a session: the session row, its first refresh token, the user's last sign-in time (at
 * one-minute resolution) and the `user.signed_in` event (audit + outbox) — in ONE statement, so a
 * sign-in costs a single round trip and no unit-of-work bookkeeping after the password check (the
 * hot path of sign-in). Atomic by itself; inside a caller's transaction it joins it.
 */
export async function startSession(em: EntityManager, deps: Pick<AuthDeps, 'config' | 'tenant' | 'request'>, userId: string, amr: string[], method: string): Promise<StartedSession> {
  const { config, tenant, request } = deps;
  const now = new Date();
  const id = uuidv7(now.getTime());
  // From the table of methods: two factors of different kinds (pwd + otp, a user-verifying passkey).
  const aal = assuranceLevel(amr);
  const expiresAt = new Date(now.getTime() + tenantLifetimes(config, tenant).sessionTtlHours * 3600_000);
  const refreshToken = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`;
  const event = eventCtes(
    eventRows(userActor(request, userId), AuthEvents.of('user.signed_in', {
      tenantId: tenant.id,
      target: { type: 'user', id: userId },
      data: { sessionId: id, method, amr, aal },
    })),
  );
  await fastQuery(
    em,
    `with new_session as (
        insert into sessions (id, tenant_id, user_id, amr, aal, ip, user_agent, created_at, last_used_at, expires_at)
        values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)),
      new_refresh as (
        insert into refresh_tokens (id, tenant_id, session_id, token_hash, status, created_at, expires_at)
        values (?, ?, ?, ?, 'active', ?, ?)),
      last_sign_in as (
        update users set last_sign_in_at = ?
         where id = ? and (last_sign_in_at is null or last_sign_in_at < ?)),
      ${event.ctes.join(',\n      ')}
     select 1`,
    [
      id, tenant.id, userId, JSON.stringify(amr), aal, request.ip, request.userAgent, now, now, expiresAt,
      uuidv7(now.getTime()), tenant.id, id, sha256(refreshToken), now, expiresAt,
      now, userId, new Date(now.getTime() - 60_000),
      ...event.params,
    ],
    'plinto_start_session',
  );
  return { id, userId, amr, aal, organizationId: null, refreshToken };
}

/**
 * Signs a user in right after another module created their account (invitation acceptance): the
 * same session, tokens and `user.signed_in` event as a password sign-in, answered with OAuth's
 * field names.
 */
export async function signInCreatedAccount(em: EntityManager, deps: Pick<AuthDeps, 'config' | 'tenant' | 'request' | 'services'>, userId: string, method: string) {
  const session = await startSession(em, deps, userId, ['pwd'], method);
  return { ...(await sessionTokens(tokenServicesOf(deps), deps.tenant, session, session.refreshToken)), session_id: session.id };
}
