import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { CommonErrors, recordEvent, requireUser, sha256, type ServiceContext } from '@plinto/kernel';
import { User } from '../entities/user.entity';
import { AuthErrors } from '../errors';
import { authConfig } from '../config';
import { normalizePassword } from '../password/policy';
import { verifyPassword } from '../password/hasher';
import { issueToken } from './tokens.service';
import { buildLink, emailEffect, linkSettingsOf } from './tenant-settings';
import { limitClientIp } from './throttle';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';
import { toUserDto } from './users.service';
import type { UserDto } from '../auth.schemas';

/** How recent a sign-in stands in for the password when asking for an email change. */
export const RECENT_SIGN_IN_MS = 5 * 60_000;

/**
 * The signed-in user asks to change their email address. They prove it is them (the current
 * password, or a sign-in of the last five minutes — a stolen old session alone cannot move the
 * account to the thief's mailbox); a single-use link goes to the NEW address and nothing changes
 * until it is confirmed (confirmEmailChange). No permission: the caller acts on themselves only.
 *
 * Whether the new address already has an account is not told here (that would let any user probe
 * addresses); the confirmation refuses it instead, and only the owner of that mailbox sees that.
 */
export async function requestEmailChange(sc: ServiceContext, input: { newEmail: string; currentPassword?: string }): Promise<{ status: 'confirmation_sent'; expiresAt: string }> {
  const principal = requireUser(sc);
  // Guessing the password from a stolen session is throttled like any password check.
  await limitClientIp(sc.redis, sc.config, sc.request.ip);
  const user = await sc.em.findOneOrFail(User, { id: principal.id, tenantId: sc.tenant.id }, { disableIdentityMap: true });
  if (input.newEmail === user.email) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'newEmail', message: 'This is already your email address' }] });
  if (input.currentPassword !== undefined) {
    if (!user.passwordHash || !(await verifyPassword(user.passwordHash, normalizePassword(input.currentPassword)))) {
      throw AuthErrors.CURRENT_PASSWORD_WRONG({ fields: [{ path: 'currentPassword', message: 'Not your current password' }] });
    }
  } else {
    const authTime = principal.attributes.authTime;
    const recent = authTime instanceof Date && Date.now() - authTime.getTime() <= RECENT_SIGN_IN_MS;
    if (!recent) throw AuthErrors.REAUTHENTICATION_REQUIRED({ fields: [{ path: 'currentPassword', message: 'Enter your current password' }] });
  }
  const ttlMinutes = authConfig(sc.config).AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
  return sc.em.transactional(async (tx) => {
    const token = await issueToken(tx, { tenantId: sc.tenant.id, userId: user.id, purpose: 'email_change', ttlMs: ttlMinutes * 60_000, newEmail: input.newEmail });
    const link = buildLink(sc.config, linkSettingsOf(sc.tenant), '/confirm-email', token);
    recordEvent(
      tx,
      userActor(sc.request, user.id),
      AuthEvents.of('email.change_requested', { tenantId: sc.tenant.id, target: { type: 'user', id: user.id }, data: { email: input.newEmail } }),
      [emailEffect({ template: 'email_change', tenantId: sc.tenant.id, to: input.newEmail, name: user.displayName, link, expiresInMinutes: ttlMinutes })],
    );
    await tx.flush();
    return { status: 'confirmation_sent' as const, expiresAt: new Date(Date.now() + ttlMinutes * 60_000).toISOString() };
  });
}

/**
 * Confirms a change with the link mailed to the new address. Only this POST consumes the token (a
 * mail scanner fetching the link burns nothing); the conditional UPDATE gives one change per link.
 * The address is now verified (the link proved the mailbox), and the old address is told.
 */
export async function confirmEmailChange(deps: AuthDeps, token: string): Promise<{ status: 'email_changed'; user: UserDto }> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  try {
    return await em.transactional(async (tx) => {
      const rows: { user_id: string; new_email: string }[] = await tx.execute(
        `update auth_tokens set consumed_at = now()
          where token_hash = ? and tenant_id = ? and purpose = 'email_change' and consumed_at is null and expires_at > now()
          returning user_id, new_email`,
        [sha256(token), tenant.id],
      );
      if (!rows[0]) throw AuthErrors.INVALID_TOKEN({ fields: [{ path: 'token', message: 'Invalid, used or expired' }] });
      const row = await tx.findOneOrFail(User, { id: rows[0].user_id, tenantId: tenant.id });
      if (row.disabledAt) throw AuthErrors.USER_DISABLED();
      const oldEmail = row.email;
      const now = new Date();
      row.email = rows[0].new_email;
      row.emailVerifiedAt = now;
      row.updatedAt = now;
      recordEvent(
        tx,
        userActor(request, row.id),
        AuthEvents.of('email.changed', { tenantId: tenant.id, target: { type: 'user', id: row.id }, data: { email: row.email, previousEmail: oldEmail } }),
        [emailEffect({ template: 'email_changed', tenantId: tenant.id, to: oldEmail, name: row.displayName })],
      );
      await tx.flush();
      return { status: 'email_changed' as const, user: toUserDto(row) };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw AuthErrors.EMAIL_TAKEN({ fields: [{ path: 'token', message: 'Another account uses this address now' }] });
    throw error;
  }
}
