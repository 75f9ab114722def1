import { randomToken, recordEvent, secretBoxFor, sha256, uuidv7, type Config, type EntityManager, type RequestMeta } from '@plinto/kernel';
import { authConfig } from '../config';
import { userActor } from '../services/deps';
import { revokeSessions } from '../services/sessions.service';
import { LockMode } from '@mikro-orm/core';
import { RefreshToken } from './entities';
import { withRevocations, type Revoke } from './services';

/**
 * Refresh tokens: opaque (`plr_` + 256 random bits), stored as SHA-256, one family per session.
 * Every use rotates. Reuse of a rotated token — after the grace window, or when its successor has
 * moved on — is treated as theft: the session (the whole family) is revoked and
 * `session.token_reuse_detected` is recorded. Inside the grace window a concurrent refresh with the
 * same token receives the same successor (kept sealed on the rotated row for that window only).
 */
export const REFRESH_TOKEN_PREFIX = 'plr_';
const SEALING_PURPOSE = 'refresh-successors';

export function newRefreshToken(tx: EntityManager, session: { id: string; tenantId: string; expiresAt: Date }, parentId: string | null = null) {
  const token = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`;
  const row = tx.create(RefreshToken, {
    id: uuidv7(),
    tenantId: session.tenantId,
    sessionId: session.id,
    tokenHash: sha256(token),
    parentId,
    status: 'active',
    createdAt: new Date(),
    rotatedAt: null,
    successorId: null,
    successorSealed: null,
    expiresAt: session.expiresAt,
  });
  return { token, row };
}

export interface RefreshedSession {
  session: { id: string; tenantId: string; userId: string; amr: string[]; aal: number; organizationId: string | null };
  refreshToken: string;
}

export type RefreshOutcome = { ok: true; value: RefreshedSession } | { ok: false; reason: 'invalid' | 'reuse' };

interface SessionLockRow {
  id: string;
  tenant_id: string;
  user_id: string;
  amr: string[];
  aal: number;
  organization_id: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  disabled_at: Date | null;
}

/**
 * Rotates `presented` (a refresh token of tenant `tenantId`). Serialised per session by a row lock
 * on the session, which revocations take too: a refresh racing a sign-out either completes first
 * (and its successor is then revoked) or sees the session ended.
 */
export async function rotateRefreshToken(em: EntityManager, config: Config, tenantId: string, presented: string, request: RequestMeta): Promise<RefreshOutcome> {
  if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) return { ok: false, reason: 'invalid' };
  const box = secretBoxFor(config, SEALING_PURPOSE);
  const hash = sha256(presented);
  const found = await em.execute<{ session_id: string; tenant_id: string }[]>('select session_id, tenant_id from refresh_tokens where token_hash = ?', [hash]);
  const first = found[0];
  if (!first || first.tenant_id !== tenantId) return { ok: false, reason: 'invalid' };
  return withRevocations(em, async (tx, revoke) => {
    const [session] = await tx.execute<SessionLockRow[]>(
      `select s.id, s.tenant_id, s.user_id, s.amr, s.aal, s.organization_id, s.expires_at, s.revoked_at, u.disabled_at
         from sessions s join users u on u.id = s.user_id
        where s.id = ? for update of s`,
      [first.session_id],
    );
    const row = await tx.findOne(RefreshToken, { tokenHash: hash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const now = new Date();
    if (!session || !row || session.revoked_at || session.disabled_at || new Date(session.expires_at) <= now || row.status === 'revoked') {
      return { ok: false, reason: 'invalid' } as const;
    }
    const sessionView = {
      id: session.id,
      tenantId: session.tenant_id,
      userId: session.user_id,
      amr: session.amr,
      aal: session.aal,
      organizationId: session.organization_id,
    };
    if (row.status === 'active') {
      if (row.expiresAt <= now) return { ok: false, reason: 'invalid' } as const;
      const successor = newRefreshToken(tx, { id: session.id, tenantId: session.tenant_id, expiresAt: row.expiresAt }, row.id);
      row.status = 'rotated';
      row.rotatedAt = now;
      row.successorId = successor.row.id;
      row.successorSealed = box.seal(successor.token, row.id);
      // The parent's sealed copy of this token is no longer needed: this token is now spent.
      if (row.parentId) await tx.nativeUpdate(RefreshToken, { id: row.parentId }, { successorSealed: null });
      await tx.execute('update sessions set last_used_at = ? where id = ?', [now, session.id]);
      recordEvent(tx, userActor(request, session.user_id), {
        action: 'session.refreshed',
        tenantId: session.tenant_id,
        target: { type: 'session', id: session.id },
        data: { sessionId: session.id, userId: session.user_id },
      });
      await tx.flush();
      return { ok: true, value: { session: sessionView, refreshToken: successor.token } } as const;
    }
    // Rotated: a concurrent refresh inside the grace window gets the same, still unused successor.
    const graceMs = authConfig(config).AUTH_REFRESH_GRACE_SECONDS * 1000;
    if (row.rotatedAt && now.getTime() - row.rotatedAt.getTime() <= graceMs && row.successorSealed && row.successorId) {
      const successor = await tx.findOne(RefreshToken, { id: row.successorId, status: 'active' });
      if (successor) {
        const token = box.open(row.successorSealed, row.id);
        return { ok: true, value: { session: sessionView, refreshToken: token } } as const;
      }
    }
    await revokeFamily(tx, revoke, sessionView, row.id, request);
    return { ok: false, reason: 'reuse' } as const;
  });
}

async function revokeFamily(tx: EntityManager, revoke: Revoke, session: RefreshedSession['session'], tokenId: string, request: RequestMeta): Promise<void> {
  await revokeSessions(tx, revoke, { userId: session.userId, sessionIds: [session.id] }, 'refresh_token_reuse');
  recordEvent(tx, userActor(request, session.userId), {
    action: 'session.token_reuse_detected',
    tenantId: session.tenantId,
    target: { type: 'session', id: session.id },
    outcome: 'failure',
    data: { sessionId: session.id, userId: session.userId, refreshTokenId: tokenId, ip: request.ip },
  });
  await tx.flush();
}
