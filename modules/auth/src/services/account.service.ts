import { recordEvent, requireUser, type ServiceContext } from '@plinto/kernel';
import { User } from '../entities/user.entity';
import { AuthErrors } from '../errors';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword, verifyPassword } from '../password/hasher';
import { revokeUserSessions } from './sessions.service';
import { withRevocations } from '../tokens/services';
import { authSettingsOf, emailEffect } from './tenant-settings';
import { userActor } from './deps';
import { AuthEvents } from '../events';
import { toUserDto } from './users.service';
import { limitClientIp } from './throttle';
import type { UserDto } from '../auth.schemas';

/**
 * What a signed-in user changes about their own account (the hosted account page): their profile
 * and their password. No permission: the caller acts on themselves only.
 */
export async function updateMyProfile(sc: ServiceContext, input: { displayName: string | null }): Promise<UserDto> {
  const principal = requireUser(sc);
  return sc.em.transactional(async (tx) => {
    const row = await tx.findOneOrFail(User, { id: principal.id, tenantId: sc.tenant.id });
    row.displayName = input.displayName;
    row.updatedAt = new Date();
    recordEvent(tx, userActor(sc.request, row.id), AuthEvents.of('user.updated', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { changed: ['displayName'] } }));
    await tx.flush();
    return toUserDto(row);
  });
}

/**
 * Changes the caller's password, proving the current one first (a stolen session alone must not
 * take the account over); every other session ends, the owner is notified.
 */
export async function changeMyPassword(sc: ServiceContext, input: { currentPassword: string; newPassword: string }): Promise<{ status: 'password_changed'; sessionsRevoked: number }> {
  const principal = requireUser(sc);
  // Guessing the current password from a stolen session is throttled like any password check.
  await limitClientIp(sc.redis, sc.config, sc.request.ip);
  const current = await sc.em.findOneOrFail(User, { id: principal.id, tenantId: sc.tenant.id }, { disableIdentityMap: true });
  if (!current.passwordHash || !(await verifyPassword(current.passwordHash, normalizePassword(input.currentPassword)))) {
    throw AuthErrors.CURRENT_PASSWORD_WRONG({ fields: [{ path: 'currentPassword', message: 'Not your current password' }] });
  }
  checkPasswordPolicy(input.newPassword, { email: current.email, minLength: authSettingsOf(sc.tenant).passwordMinLength, field: 'newPassword' });
  const passwordHash = await hashPassword(normalizePassword(input.newPassword));
  const keep = principal.attributes.sessionId as string | undefined;
  const revoked = await withRevocations(sc, async (tx, revoke) => {
    const row = await tx.findOneOrFail(User, { id: principal.id, tenantId: sc.tenant.id });
    row.passwordHash = passwordHash;
    row.updatedAt = new Date();
    const ended = await revokeUserSessions(tx, revoke, row.id, 'password_changed', keep);
    recordEvent(
      tx,
      userActor(sc.request, row.id),
      AuthEvents.of('password.changed', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { method: 'change', sessionsRevoked: ended } }),
      [emailEffect({ template: 'password_changed', tenantId: sc.tenant.id, to: row.email, name: row.displayName })],
    );
    await tx.flush();
    return ended;
  });
  return { status: 'password_changed', sessionsRevoked: revoked };
}
