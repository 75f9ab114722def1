import { eventCtes, eventRows, fastQuery, randomToken, recordEvent, secretBoxFor, sha256, uuidv7, type Config, type EntityManager, type RequestMeta, type ServiceRegistry } from '@plinto/kernel';
import { authConfig } from '../config';
import { userActor } from '../services/deps';
import { revokeSessions } from '../services/sessions.service';
import { withRevocations, type Revoke } from './services';
import { AuthEvents } from '../events';

/**
 * Refresh tokens: opaque (`plr_` + 256 random bits), stored as SHA-256, one family per session.
 * Every use rotates. Reuse of a rotated token — after the grace window, or when its successor has
 * moved on — is treated as theft: the session (the whole family) is revoked and
 * `session.token_reuse_detected` is recorded. Inside the grace window a concurrent refresh with the
 * same token receives the same successor (kept sealed on the rotated row for that window only).
 */
export const REFRESH_TOKEN_PREFIX = 'plr_';
const SEALING_PURPOSE = 'refresh-successors';

export interface RefreshedSession {
  session: {
    id: string;
    tenantId: string;
    userId: string;
    amr: string[];
    aal: number;
    organizationId: string | null;
    organizationRole: string | null;
    /** Set for sessions issued to an OpenID Connect application: what its tokens carry. */
    clientId: string | null;
    scope: string | null;
    resource: string | null;
    authTime: string | null;
  };
  refreshToken: string;
}

/** `wrong_client`: the token belongs to another client's session (RFC 6749 §6); nothing changes. */
export type RefreshOutcome = { ok: true; value: RefreshedSession } | { ok: false; reason: 'invalid' | 'reuse' | 'wrong_client' };

interface SessionLockRow {
  id: string;
  tenant_id: string;
  user_id: string;
  amr: string[];
  aal: number;
  organization_id: string | null;
  organization_role: string | null;
  client_id: string | null;
  scope: string | null;
  resource: string | null;
  auth_time: string | null;
  // Timestamps arrive as text from raw queries.
  expires_at: string;
  revoked_at: string | null;
  disabled_at: string | null;
}

interface TokenRow {
  id: string;
  status: 'active' | 'rotated' | 'revoked';
  parent_id: string | null;
  rotated_at: string | null;
  successor_id: string | null;
  successor_sealed: string | null;
  expires_at: string;
}

/**
 * Rotates `presented` (a refresh token of tenant `tenantId`). Serialised per session by a row lock
 * on the session, which revocations take too: a refresh racing a sign-out either completes first
 * (and its successor is then revoked) or sees the session ended. The hot path is three statements
 * in one transaction: lock the session, lock the token, write everything (rotation, successor,
 * last use, audit + outbox) in one statement.
 */
export async function rotateRefreshToken(
  deps: { em: EntityManager; config: Config; request: RequestMeta; services: ServiceRegistry },
  tenantId: string,
  presented: string,
  /** The client presenting the token (null: none, or first-party): must be the session's client. */
  clientId: string | null = null,
): Promise<RefreshOutcome> {
  const { config, request } = deps;
  if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) return { ok: false, reason: 'invalid' };
  const box = secretBoxFor(config, SEALING_PURPOSE);
  const hash = sha256(presented);
  if (!deps.em.getTransactionContext()) {
    const rotated = await rotateActiveToken(deps.em, box, tenantId, hash, request, clientId);
    if (rotated) return rotated;
  }
  return withRevocations(deps, async (tx, revoke) => {
    const [session] = await tx.execute<SessionLockRow[]>(
      `select s.id, s.tenant_id, s.user_id, s.amr, s.aal, s.organization_id, s.organization_role, s.client_id, s.scope, s.resource, s.auth_time, s.expires_at, s.revoked_at, u.disabled_at
         from sessions s join users u on u.id = s.user_id
        where s.id = (select session_id from refresh_tokens where token_hash = ? and tenant_id = ?)
          for update of s`,
      [hash, tenantId],
    );
    if (!session) return { ok: false, reason: 'invalid' } as const;
    if ((session.client_id ?? null) !== clientId) return { ok: false, reason: 'wrong_client' } as const;
    const [row] = await tx.execute<TokenRow[]>(
      `select id, status, parent_id, rotated_at, successor_id, successor_sealed, expires_at from refresh_tokens where token_hash = ? for update`,
      [hash],
    );
    const now = new Date();
    if (!row || session.revoked_at || session.disabled_at || new Date(session.expires_at) <= now || row.status === 'revoked') {
      return { ok: false, reason: 'invalid' } as const;
    }
    const sessionView = {
      id: session.id,
      tenantId: session.tenant_id,
      userId: session.user_id,
      amr: session.amr,
      aal: session.aal,
      organizationId: session.organization_id,
      organizationRole: session.organization_role,
      clientId: session.client_id,
      scope: session.scope,
      resource: session.resource,
      authTime: session.auth_time,
    };
    if (row.status === 'active') {
      if (new Date(row.expires_at) <= now) return { ok: false, reason: 'invalid' } as const;
      const successorId = uuidv7(now.getTime());
      const successor = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`;
      const event = eventCtes(
        eventRows(userActor(request, session.user_id), AuthEvents.of('session.refreshed', {
          tenantId: session.tenant_id,
          target: { type: 'session', id: session.id },
          data: { sessionId: session.id, userId: session.user_id },
        })),
      );
      await tx.execute(
        `with rotated as (
            update refresh_tokens set status = 'rotated', rotated_at = ?, successor_id = ?, successor_sealed = ? where id = ?),
          successor as (
            insert into refresh_tokens (id, tenant_id, session_id, token_hash, parent_id, status, created_at, expires_at)
            values (?, ?, ?, ?, ?, 'active', ?, ?)),
          -- The parent's sealed copy of the presented token is no longer needed: that token is now spent.
          spent as (update refresh_tokens set successor_sealed = null where id = ? and successor_sealed is not null),
          last_use as (update sessions set last_used_at = ? where id = ?),
          ${event.ctes.join(',\n          ')}
         select 1`,
        [
          now, successorId, box.seal(successor, row.id), row.id,
          successorId, session.tenant_id, session.id, sha256(successor), row.id, now, row.expires_at,
          row.parent_id,
          now, session.id,
          ...event.params,
        ],
      );
      return { ok: true, value: { session: sessionView, refreshToken: successor } } as const;
    }
    // Rotated: a concurrent refresh inside the grace window gets the same, still unused successor.
    // The window is judged from when the request arrived, not when its turn at the lock came: on
    // a busy server fifty concurrent refreshes may wait longer than the window for each other.
    const graceMs = authConfig(config).AUTH_REFRESH_GRACE_SECONDS * 1000;
    const arrived = Math.min(request.receivedAt ?? now.getTime(), now.getTime());
    if (row.rotated_at && arrived - new Date(row.rotated_at).getTime() <= graceMs && row.successor_sealed && row.successor_id) {
      const [successor] = await tx.execute<{ id: string }[]>(`select id from refresh_tokens where id = ? and status = 'active'`, [row.successor_id]);
      if (successor) return { ok: true, value: { session: sessionView, refreshToken: box.open(row.successor_sealed, row.id) } } as const;
    }
    await revokeFamily(tx, revoke, sessionView, row.id, request);
    return { ok: false, reason: 'reuse' } as const;
  });
}

interface LookupRow {
  id: string;
  tenant_id: string;
  user_id: string;
  amr: string[];
  aal: number;
  organization_id: string | null;
  organization_role: string | null;
  client_id: string | null;
  scope: string | null;
  resource: string | null;
  auth_time: string | null;
  session_expires_at: string;
  revoked_at: string | null;
  disabled_at: string | null;
  token_id: string;
  status: TokenRow['status'];
  parent_id: string | null;
  token_expires_at: string;
}

/**
 * The common case — an active token of a live session — in two round trips and no transaction: a
 * plain read, then one autocommitted statement that locks the session and the token (as the
 * transactional path does, so revocations still serialise with it), re-checks that both are still
 * live and active, and writes the rotation, the successor, the last use and the event rows, or
 * nothing. Anything else — an unknown, rotated, revoked or expired token, or a race lost between
 * the two statements — returns undefined and the transactional path decides (grace window, reuse
 * detection). Outcome for outcome the same as that path, three round trips fewer.
 */
async function rotateActiveToken(em: EntityManager, box: ReturnType<typeof secretBoxFor>, tenantId: string, hash: string, request: RequestMeta, clientId: string | null): Promise<RefreshOutcome | undefined> {
  const [row] = await fastQuery<LookupRow>(
    em,
    `select s.id, s.tenant_id, s.user_id, s.amr, s.aal, s.organization_id, s.organization_role, s.client_id, s.scope, s.resource, s.auth_time, s.expires_at as session_expires_at, s.revoked_at, u.disabled_at,
            r.id as token_id, r.status, r.parent_id, r.expires_at as token_expires_at
       from refresh_tokens r join sessions s on s.id = r.session_id join users u on u.id = s.user_id
      where r.token_hash = ? and r.tenant_id = ?`,
    [hash, tenantId],
    'plinto_refresh_lookup',
  );
  const now = new Date();
  if (row && (row.client_id ?? null) !== clientId) return { ok: false, reason: 'wrong_client' };
  if (!row || row.status !== 'active' || row.revoked_at || row.disabled_at || new Date(row.session_expires_at) <= now || new Date(row.token_expires_at) <= now) return undefined;
  const successorId = uuidv7(now.getTime());
  const successor = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`;
  const event = eventCtes(
    eventRows(userActor(request, row.user_id), AuthEvents.of('session.refreshed', {
      tenantId: row.tenant_id,
      target: { type: 'session', id: row.id },
      data: { sessionId: row.id, userId: row.user_id },
    })),
    'ev',
    'exists (select 1 from rotated)',
  );
  const [result] = await fastQuery<{ rotated: number }>(
    em,
    `with locked_session as (
        select id from sessions where id = ? and revoked_at is null and expires_at > ? for update),
      locked_token as (
        select id from refresh_tokens
         where id = ? and status = 'active' and expires_at > ? and exists (select 1 from locked_session) for update),
      rotated as (
        update refresh_tokens set status = 'rotated', rotated_at = ?, successor_id = ?, successor_sealed = ?
         where id = (select id from locked_token) returning id),
      successor as (
        insert into refresh_tokens (id, tenant_id, session_id, token_hash, parent_id, status, created_at, expires_at)
        select ?, ?, ?, ?, ?, 'active', ?, ? where exists (select 1 from rotated)),
      spent as (update refresh_tokens set successor_sealed = null where id = ? and successor_sealed is not null and exists (select 1 from rotated)),
      last_use as (update sessions set last_used_at = ? where id = ? and exists (select 1 from rotated)),
      ${event.ctes.join(',\n      ')}
     select count(*)::int as rotated from rotated`,
    [
      row.id, now,
      row.token_id, now,
      now, successorId, box.seal(successor, row.token_id),
      successorId, row.tenant_id, row.id, sha256(successor), row.token_id, now, row.token_expires_at,
      row.parent_id,
      now, row.id,
      ...event.params,
    ],
    'plinto_refresh_rotate',
  );
  if (!result?.rotated) return undefined;
  const session = {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    amr: row.amr,
    aal: row.aal,
    organizationId: row.organization_id,
    organizationRole: row.organization_role,
    clientId: row.client_id,
    scope: row.scope,
    resource: row.resource,
    authTime: row.auth_time,
  };
  return { ok: true, value: { session, refreshToken: successor } };
}

async function revokeFamily(tx: EntityManager, revoke: Revoke, session: RefreshedSession['session'], tokenId: string, request: RequestMeta): Promise<void> {
  await revokeSessions(tx, revoke, { userId: session.userId, sessionIds: [session.id] }, 'refresh_token_reuse');
  recordEvent(tx, userActor(request, session.userId), AuthEvents.of('session.token_reuse_detected', {
    tenantId: session.tenantId,
    target: { type: 'session', id: session.id },
    outcome: 'failure',
    data: { sessionId: session.id, userId: session.userId, refreshTokenId: tokenId, ip: request.ip },
  }));
  await tx.flush();
}
