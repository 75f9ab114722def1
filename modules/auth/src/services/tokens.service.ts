import { randomToken, sha256, uuidv7, type EntityManager } from '@plinto/kernel';
import { AuthToken } from '../entities/user.entity';
import { AuthErrors } from '../errors';

export type TokenPurpose = 'email_verification' | 'password_reset' | 'magic_link' | 'email_change';

/**
 * Issues a single-use token (256 random bits; only its SHA-256 is stored) in `em`'s transaction.
 * Earlier unused tokens of the same purpose are retired, so only the newest emailed link works.
 */
export async function issueToken(em: EntityManager, input: { tenantId: string; userId: string; purpose: TokenPurpose; ttlMs: number; newEmail?: string }): Promise<string> {
  const now = new Date();
  await em.nativeUpdate(AuthToken, { userId: input.userId, purpose: input.purpose, consumedAt: null }, { consumedAt: now });
  const token = randomToken(32);
  em.create(AuthToken, {
    id: uuidv7(now.getTime()),
    tenantId: input.tenantId,
    userId: input.userId,
    purpose: input.purpose,
    tokenHash: sha256(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.ttlMs),
    consumedAt: null,
    newEmail: input.newEmail ?? null,
  });
  return token;
}

/**
 * Consumes a token: one conditional UPDATE ... RETURNING, so of any number of concurrent consumers
 * exactly one gets the row; the others (and every later use) get INVALID_TOKEN.
 */
export async function consumeToken(em: EntityManager, tenantId: string, purpose: TokenPurpose, token: string): Promise<string> {
  const rows: { user_id: string }[] = await em.execute(
    `update auth_tokens set consumed_at = now()
      where token_hash = ? and tenant_id = ? and purpose = ? and consumed_at is null and expires_at > now()
      returning user_id`,
    [sha256(token), tenantId, purpose],
  );
  if (rows.length === 0) throw AuthErrors.INVALID_TOKEN({ fields: [{ path: 'token', message: 'Invalid, used or expired' }] });
  return rows[0]!.user_id;
}
