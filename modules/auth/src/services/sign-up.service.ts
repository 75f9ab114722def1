import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordEvent } from '@plinto/kernel';
import { authConfig } from '../config';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword } from '../password/hasher';
import { limitClientIp } from './throttle';
import { findUserByEmail, newUserRow } from './users.service';
import { issueToken } from './tokens.service';
import { authSettingsOf, buildLink, emailEffect, linkSettingsOf } from './tenant-settings';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';

export const SIGN_UP_ACCEPTED = {
  status: 'accepted' as const,
  message: 'Check your email to continue.',
};

/**
 * Sign-up answers the same whether or not the email is taken (no enumeration): the password is
 * hashed in both cases (same cost), and the mailbox owner gets either a verification link (new
 * account) or an "you already have an account" notice with a password reset link (existing one).
 * Password rules are checked first; they do not depend on the account.
 */
export async function signUp(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string; metadata?: Record<string, unknown> },
): Promise<typeof SIGN_UP_ACCEPTED> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const settings = linkSettingsOf(tenant);
  checkPasswordPolicy(input.password, { email: input.email, minLength: authSettingsOf(tenant).passwordMinLength });
  const passwordHash = await hashPassword(normalizePassword(input.password));
  const c = authConfig(config);

  const existingAccount = () =>
    em.transactional(async (tx) => {
      const existing = await findUserByEmail(tx, tenant.id, input.email);
      if (!existing) return;
      const token = await issueToken(tx, { tenantId: tenant.id, userId: existing.id, purpose: 'password_reset', ttlMs: c.AUTH_PASSWORD_RESET_TTL_MINUTES * 60_000 });
      recordEvent(
        tx,
        userActor(request, null),
        AuthEvents.of('user.sign_up_duplicate', { tenantId: tenant.id, target: { type: 'user', id: existing.id }, outcome: 'failure', data: { email: input.email } }),
        [emailEffect({ template: 'account_exists', tenantId: tenant.id, to: existing.email, name: existing.displayName, link: buildLink(config, settings, '/reset-password', token), expiresInMinutes: c.AUTH_PASSWORD_RESET_TTL_MINUTES })],
      );
      await tx.flush();
    });

  if (await findUserByEmail(em, tenant.id, input.email)) {
    await existingAccount();
    return SIGN_UP_ACCEPTED;
  }
  try {
    await em.transactional(async (tx) => {
      const user = newUserRow(tx, {
        tenantId: tenant.id,
        email: input.email,
        displayName: input.displayName,
        metadata: input.metadata,
        passwordHash,
        emailVerifiedAt: null,
      });
      // The user row first: the token row references it, and unrelated entities have no set flush order.
      await tx.flush();
      const ttlMinutes = c.AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
      const token = await issueToken(tx, { tenantId: tenant.id, userId: user.id, purpose: 'email_verification', ttlMs: ttlMinutes * 60_000 });
      recordEvent(
        tx,
        userActor(request, user.id),
        AuthEvents.of('user.created', { tenantId: tenant.id, target: { type: 'user', id: user.id }, data: { email: user.email, method: 'sign_up' } }),
        [emailEffect({ template: 'email_verification', tenantId: tenant.id, to: user.email, name: user.displayName, link: buildLink(config, settings, '/verify-email', token), expiresInMinutes: ttlMinutes })],
      );
      await tx.flush();
    });
  } catch (error) {
    // A concurrent sign-up for the same address won the insert: answer as for an existing account.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    await existingAccount();
  }
  return SIGN_UP_ACCEPTED;
}
