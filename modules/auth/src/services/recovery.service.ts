import { recordEvent, sha256 } from '@plinto/kernel';
import { AuthToken, User } from '../entities/user.entity';
import { authConfig } from '../config';
import type { SignInResult } from '../auth.schemas';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword } from '../password/hasher';
import { clearAccountAttempts, limitClientIp } from './throttle';
import { findUserByEmail, toUserDto } from './users.service';
import { consumeToken, issueToken } from './tokens.service';
import { revokeUserSessions } from './sessions.service';
import { withRevocations } from '../tokens/services';
import { authSettingsOf, buildLink, emailEffect, linkSettingsOf } from './tenant-settings';
import { completeFirstFactor } from './sign-in.service';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';

export const EMAIL_SENT_IF_ACCOUNT = {
  status: 'accepted' as const,
  message: 'If an account exists for this address, an email is on its way.',
};

/**
 * Forgot-password and magic-link requests do the same work whether or not the account exists: one
 * lookup and one transaction writing an audit row (a failure row for an unknown address), so the
 * answer and its timing say nothing about the account. Only a real account gets an email.
 */
async function emailLinkRequest(deps: AuthDeps, email: string, kind: 'password_reset' | 'magic_link'): Promise<typeof EMAIL_SENT_IF_ACCOUNT> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const settings = linkSettingsOf(tenant);
  const c = authConfig(config);
  const ttlMinutes = kind === 'magic_link' ? c.AUTH_MAGIC_LINK_TTL_MINUTES : c.AUTH_PASSWORD_RESET_TTL_MINUTES;
  const action = kind === 'magic_link' ? 'magic_link.sent' : 'password.reset_requested';
  await em.transactional(async (tx) => {
    const user = await findUserByEmail(tx, tenant.id, email);
    if (!user || user.disabledAt) {
      recordEvent(tx, userActor(request, null), AuthEvents.of(action, {
        tenantId: tenant.id,
        target: user ? { type: 'user', id: user.id } : undefined,
        outcome: 'failure',
        data: { email, reason: user ? 'user_disabled' : 'no_such_account' },
      }));
    } else {
      const token = await issueToken(tx, { tenantId: tenant.id, userId: user.id, purpose: kind, ttlMs: ttlMinutes * 60_000 });
      const path = kind === 'magic_link' ? '/magic-link' : '/reset-password';
      recordEvent(
        tx,
        userActor(request, user.id),
        AuthEvents.of(action, { tenantId: tenant.id, target: { type: 'user', id: user.id }, data: { email } }),
        [emailEffect({ template: kind, tenantId: tenant.id, to: user.email, name: user.displayName, link: buildLink(config, settings, path, token), expiresInMinutes: ttlMinutes })],
      );
    }
    await tx.flush();
  });
  return EMAIL_SENT_IF_ACCOUNT;
}

export const requestPasswordReset = (deps: AuthDeps, email: string) => emailLinkRequest(deps, email, 'password_reset');
export const requestMagicLink = (deps: AuthDeps, email: string) => emailLinkRequest(deps, email, 'magic_link');

/** Completes a reset: new password, every session ended, lockout cleared, owner notified. */
export async function resetPassword(deps: AuthDeps, input: { token: string; password: string }): Promise<{ status: 'password_reset' }> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const settings = authSettingsOf(tenant);
  // Hash before consuming: a policy failure or overload must not burn the user's link.
  const pending = await em.findOne(AuthToken, { tokenHash: sha256(input.token), tenantId: tenant.id, purpose: 'password_reset' });
  const owner = pending ? await em.findOne(User, { id: pending.userId, tenantId: tenant.id }) : null;
  checkPasswordPolicy(input.password, { email: owner?.email ?? '', minLength: settings.passwordMinLength });
  const passwordHash = await hashPassword(normalizePassword(input.password));
  const user = await withRevocations(deps, async (tx, revoke) => {
    const userId = await consumeToken(tx, tenant.id, 'password_reset', input.token);
    const row = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    const now = new Date();
    row.passwordHash = passwordHash;
    // Following the emailed link proves control of the mailbox.
    row.emailVerifiedAt ??= now;
    row.updatedAt = now;
    const revoked = await revokeUserSessions(tx, revoke, row.id, 'password_reset');
    recordEvent(
      tx,
      userActor(request, row.id),
      AuthEvents.of('password.changed', { tenantId: tenant.id, target: { type: 'user', id: row.id }, data: { method: 'reset', sessionsRevoked: revoked } }),
      [emailEffect({ template: 'password_changed', tenantId: tenant.id, to: row.email, name: row.displayName })],
    );
    await tx.flush();
    return row;
  });
  await clearAccountAttempts(redis, config, tenant.id, user.email);
  return { status: 'password_reset' };
}

export async function verifyEmail(deps: AuthDeps, token: string) {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  return em.transactional(async (tx) => {
    const userId = await consumeToken(tx, tenant.id, 'email_verification', token);
    const row = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    if (!row.emailVerifiedAt) {
      row.emailVerifiedAt = new Date();
      row.updatedAt = row.emailVerifiedAt;
      recordEvent(tx, userActor(request, row.id), AuthEvents.of('email.verified', { tenantId: tenant.id, target: { type: 'user', id: row.id }, data: { email: row.email } }));
    }
    await tx.flush();
    return { status: 'verified' as const, user: toUserDto(row) };
  });
}

/**
 * Signs in with an emailed link. Only this POST consumes the token (a mail scanner that GETs or
 * HEADs the link burns nothing), and the conditional UPDATE gives one sign-in per token however
 * many consumes race.
 */
export async function consumeMagicLink(deps: AuthDeps, token: string): Promise<SignInResult> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const user = await em.transactional(async (tx) => {
    const userId = await consumeToken(tx, tenant.id, 'magic_link', token);
    const row = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    row.emailVerifiedAt ??= new Date();
    recordEvent(tx, userActor(request, row.id), AuthEvents.of('magic_link.consumed', { tenantId: tenant.id, target: { type: 'user', id: row.id }, data: {} }));
    await tx.flush();
    return row;
  });
  return completeFirstFactor(deps, user, ['email'], 'magic_link');
}
