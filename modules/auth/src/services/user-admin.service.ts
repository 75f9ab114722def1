import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordEvent, type EntityManager, type ServiceContext, type SideEffect } from '@plinto/kernel';
import { RecoveryCode, TotpFactor } from '../entities/mfa.entity';
import { AuthErrors } from '../errors';
import { AuthEvents } from '../events';
import { authConfig } from '../config';
import type { UserDto } from '../auth.schemas';
import { checkPasswordPolicy, normalizePassword } from '../password/policy';
import { hashPassword } from '../password/hasher';
import { issueToken } from './tokens.service';
import { authSettingsOf, buildLink, emailEffect, linkSettingsOf } from './tenant-settings';
import { loadUser, manageableUser, newUserRow, toUserDto, type UserRow } from './users.service';

/**
 * What tenant administrators do to other people's accounts beyond profile edits: create one,
 * reset its second factor, send its verification email again. Each decides its own permission;
 * resetting MFA also needs to outrank the user (nobody weakens a stronger principal's sign-in).
 */

/** The verification link for `row`'s address (proof of receipt verifies it). */
async function verificationEmail(sc: ServiceContext, tx: EntityManager, row: UserRow): Promise<SideEffect> {
  const ttlMinutes = authConfig(sc.config).AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
  const token = await issueToken(tx, { tenantId: sc.tenant.id, userId: row.id, purpose: 'email_verification', ttlMs: ttlMinutes * 60_000 });
  const link = buildLink(sc.config, linkSettingsOf(sc.tenant), '/verify-email', token);
  return emailEffect({ template: 'email_verification', tenantId: sc.tenant.id, to: row.email, name: row.displayName, link, expiresInMinutes: ttlMinutes });
}

/**
 * The invitation of an account made without a password: a link to choose one (the reset page);
 * using it proves the address too. It lasts as long as a verification link, not a reset link.
 */
async function setPasswordEmail(sc: ServiceContext, tx: EntityManager, row: UserRow): Promise<SideEffect> {
  const ttlMinutes = authConfig(sc.config).AUTH_EMAIL_VERIFICATION_TTL_HOURS * 60;
  const token = await issueToken(tx, { tenantId: sc.tenant.id, userId: row.id, purpose: 'password_reset', ttlMs: ttlMinutes * 60_000 });
  const link = buildLink(sc.config, linkSettingsOf(sc.tenant), '/reset-password', token);
  return emailEffect({ template: 'password_reset', tenantId: sc.tenant.id, to: row.email, name: row.displayName, link, expiresInMinutes: ttlMinutes });
}

export interface CreateUserInput {
  email: string;
  displayName?: string | null;
  /** Omitted: the account has no password; the person is emailed a link to choose one (invitation). */
  password?: string;
  /** Vouch for the address (server-side provisioning): needs users:provision. */
  emailVerified?: boolean;
  /** Email the person (verification link, or the link to choose a password); default true. */
  sendEmail?: boolean;
}

/** A tenant admin creates a user (users:write); 409 EMAIL_TAKEN when the address has an account. */
export async function createUser(sc: ServiceContext, input: CreateUserInput): Promise<UserDto> {
  await sc.authz.require('users:write');
  if (input.emailVerified) await sc.authz.require('users:provision');
  if (input.password !== undefined) checkPasswordPolicy(input.password, { email: input.email, minLength: authSettingsOf(sc.tenant).passwordMinLength });
  const passwordHash = input.password === undefined ? null : await hashPassword(normalizePassword(input.password));
  const sendEmail = input.sendEmail ?? true;
  try {
    return await sc.em.transactional(async (tx) => {
      const row = newUserRow(tx, {
        tenantId: sc.tenant.id,
        email: input.email,
        displayName: input.displayName ?? null,
        passwordHash,
        emailVerifiedAt: input.emailVerified ? new Date() : null,
      });
      await tx.flush();
      const effects: SideEffect[] = [];
      if (sendEmail && passwordHash === null) effects.push(await setPasswordEmail(sc, tx, row));
      else if (sendEmail && !input.emailVerified) effects.push(await verificationEmail(sc, tx, row));
      recordEvent(tx, sc.actor, AuthEvents.of('user.created', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { email: row.email, method: passwordHash ? 'admin' : 'admin_invitation' } }), effects);
      await tx.flush();
      return toUserDto(row);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw AuthErrors.EMAIL_TAKEN({ fields: [{ path: 'email', message: 'Another user of this tenant has this email address' }] });
    throw error;
  }
}

/**
 * Turns off a user's TOTP and deletes their recovery codes (a lost phone): they sign in with the
 * first factor and may enroll again. Needs users:write and to outrank the user; the user is told
 * by email. Passkeys are left alone (they are removed one by one on the user page).
 */
export async function resetUserMfa(sc: ServiceContext, userId: string): Promise<UserDto> {
  return sc.em.transactional(async (tx) => {
    const row = await manageableUser(sc, tx, userId, 'users:write');
    const hadFactor = (await tx.count(TotpFactor, { userId: row.id })) > 0;
    if (!row.mfaEnabledAt && !hadFactor) throw AuthErrors.MFA_NOT_ENABLED({ fields: [{ path: 'userId', message: 'This user has no second factor to reset' }] });
    await tx.nativeDelete(TotpFactor, { userId: row.id });
    await tx.nativeDelete(RecoveryCode, { userId: row.id });
    row.mfaEnabledAt = null;
    row.updatedAt = new Date();
    recordEvent(
      tx,
      sc.actor,
      AuthEvents.of('mfa.reset', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: { method: 'totp' } }),
      [emailEffect({ template: 'mfa_disabled', tenantId: sc.tenant.id, to: row.email, name: row.displayName })],
    );
    await tx.flush();
    return toUserDto(row);
  });
}

/** Sends the verification email again (users:write); 409 when the address is already verified. */
export async function resendVerification(sc: ServiceContext, userId: string): Promise<{ sent: true }> {
  await sc.authz.require('users:write');
  return sc.em.transactional(async (tx) => {
    const row = await loadUser(tx, sc.tenant.id, userId);
    if (row.emailVerifiedAt) throw AuthErrors.EMAIL_ALREADY_VERIFIED({ fields: [{ path: 'userId', message: 'The address is already verified' }] });
    recordEvent(tx, sc.actor, AuthEvents.of('user.verification_resent', { tenantId: sc.tenant.id, target: { type: 'user', id: row.id }, data: {} }), [await verificationEmail(sc, tx, row)]);
    await tx.flush();
    return { sent: true as const };
  });
}
