import { z } from 'zod';
import { CommonErrors, decodeCursor, toPage, type EntityManager } from '@plinto/kernel';
import { Session } from '../entities/user.entity';
import type { SessionRow } from './sessions.service';

export const sessionOutput = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    current: z.boolean().describe('The session the caller is using'),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    amr: z.array(z.string()).describe('Authentication methods (RFC 8176): pwd, otp, email'),
    aal: z.number().int().describe('Authenticator assurance level: 1 single factor, 2 multi-factor'),
    organizationId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'Session' });

export type SessionDto = z.infer<typeof sessionOutput>;

const toDto = (row: SessionRow, currentId: string | undefined): SessionDto => ({
  id: row.id,
  userId: row.userId,
  current: row.id === currentId,
  userAgent: row.userAgent ?? null,
  ip: row.ip ?? null,
  amr: row.amr,
  aal: row.aal,
  organizationId: row.organizationId ?? null,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
});

/** A user's live sessions, newest first (keyset over the uuidv7 id). */
export async function listSessions(
  em: EntityManager,
  tenantId: string,
  userId: string,
  input: { limit: number; cursor?: string },
  currentSessionId?: string,
) {
  const before = decodeCursor(input.cursor);
  const rows = await em.find(
    Session,
    { tenantId, userId, revokedAt: null, expiresAt: { $gt: new Date() }, ...(before ? { id: { $lt: before } } : {}) },
    { orderBy: { id: 'desc' }, limit: input.limit + 1, disableIdentityMap: true },
  );
  return toPage(rows, input.limit, (row) => toDto(row, currentSessionId));
}

/** A live session of this user in this tenant, or 404 (another user's session is not found either). */
export async function liveSessionOf(em: EntityManager, tenantId: string, userId: string, sessionId: string): Promise<SessionRow> {
  const row = await em.findOne(Session, { id: sessionId, tenantId, userId, revokedAt: null }, { disableIdentityMap: true });
  if (!row) throw CommonErrors.NOT_FOUND({ message: 'No such session', fields: [{ path: 'sessionId', message: 'Not found' }] });
  return row;
}
