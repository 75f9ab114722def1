import { openTotpSecret, sealTotpSecret } from './totp-secrets';
import { randomBytes } from 'node:crypto';
import { recordEvent, requireUser, sha256, uuidv7, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { RecoveryCode, TotpFactor } from '../entities/mfa.entity';
import { User } from '../entities/user.entity';
import { authConfig } from '../config';
import { AuthErrors } from '../errors';
import type { SignInResult } from '../auth.schemas';
import { generateTotpSecret, matchTotpStep, otpauthUri } from './totp';
import { limitClientIp } from './throttle';
import { finishSignIn } from './sign-in.service';
import { emailEffect } from './tenant-settings';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';

const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxx-xxxx-xxxx-xxxx`: 16 characters of a 31-symbol alphabet, ~79 bits, so SHA-256 storage suffices. */
function recoveryCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

const normalizeRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');

/**
 * Accepts a TOTP code at most once: the step it matches must be later than the last step used, and
 * the conditional UPDATE makes that check-and-set atomic against a concurrent use of the same code.
 */
async function acceptTotp(em: EntityManager, factorId: string, secret: string, code: string): Promise<boolean> {
  const step = matchTotpStep(secret, code);
  if (step === null) return false;
  const updated = await em.execute(
    `update mfa_totp_factors set last_used_step = ? where id = ? and (last_used_step is null or last_used_step < ?) returning id`,
    [step, factorId, step],
  );
  return updated.length === 1;
}

async function acceptRecoveryCode(em: EntityManager, userId: string, code: string): Promise<boolean> {
  const updated = await em.execute(
    `update mfa_recovery_codes set used_at = now() where user_id = ? and code_hash = ? and used_at is null returning id`,
    [userId, sha256(normalizeRecoveryCode(code))],
  );
  return updated.length === 1;
}

/** The signed-in user starts (or restarts) enrollment: a new secret, shown once as base32 and as an otpauth:// URI. */
export async function enrollTotp(deps: ServiceContext) {
  const userId = requireUser(deps).id;
  const { em, tenant, request } = deps;
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    if (user.mfaEnabledAt) throw AuthErrors.MFA_ALREADY_ENABLED();
    await tx.nativeDelete(TotpFactor, { userId });
    const secret = generateTotpSecret();
    const id = uuidv7();
    tx.create(TotpFactor, { id, tenantId: tenant.id, userId, secret: sealTotpSecret(deps.config, id, secret), confirmedAt: null, lastUsedStep: null, createdAt: new Date() });
    recordEvent(tx, userActor(request, userId), AuthEvents.of('mfa.enrollment_started', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { method: 'totp' } }));
    await tx.flush();
    return { secret, otpauthUri: otpauthUri(secret, tenant.name, user.email) };
  });
}

/** The signed-in user confirms enrollment with a first code; enables MFA and returns the ten recovery codes (once). */
export async function confirmTotp(deps: ServiceContext, code: string) {
  const userId = requireUser(deps).id;
  const { em, tenant, request } = deps;
  await limitClientIp(deps.redis, deps.config, request.ip);
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    if (user.mfaEnabledAt) throw AuthErrors.MFA_ALREADY_ENABLED();
    const factor = await tx.findOne(TotpFactor, { userId, confirmedAt: null });
    if (!factor) throw AuthErrors.MFA_ENROLLMENT_NOT_STARTED();
    if (!(await acceptTotp(tx, factor.id, openTotpSecret(deps.config, factor), code))) {
      throw AuthErrors.INVALID_MFA_CODE({ fields: [{ path: 'code', message: 'Wrong or already used code' }] });
    }
    const now = new Date();
    await tx.nativeUpdate(TotpFactor, { id: factor.id }, { confirmedAt: now });
    user.mfaEnabledAt = now;
    user.updatedAt = now;
    await tx.nativeDelete(RecoveryCode, { userId });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
    for (const c of codes) {
      tx.create(RecoveryCode, { id: uuidv7(), tenantId: tenant.id, userId, codeHash: sha256(normalizeRecoveryCode(c)), usedAt: null, createdAt: now });
    }
    recordEvent(
      tx,
      userActor(request, userId),
      AuthEvents.of('mfa.enabled', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { method: 'totp', recoveryCodes: RECOVERY_CODE_COUNT } }),
      [emailEffect({ template: 'mfa_enabled', tenantId: tenant.id, to: user.email, name: user.displayName })],
    );
    await tx.flush();
    return { enabled: true as const, recoveryCodes: codes };
  });
}

/**
 * Turns MFA off. Re-authentication: the caller must present a current TOTP code or an unused
 * recovery code (a stolen session alone cannot remove the second factor).
 */
export async function disableTotp(deps: ServiceContext, proof: { code?: string; recoveryCode?: string }) {
  const userId = requireUser(deps).id;
  const { em, tenant, request } = deps;
  await limitClientIp(deps.redis, deps.config, request.ip);
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    const factor = await tx.findOne(TotpFactor, { userId, confirmedAt: { $ne: null } });
    if (!user.mfaEnabledAt || !factor) throw AuthErrors.MFA_NOT_ENABLED();
    const ok = proof.code
      ? await acceptTotp(tx, factor.id, openTotpSecret(deps.config, factor), proof.code)
      : proof.recoveryCode
        ? await acceptRecoveryCode(tx, userId, proof.recoveryCode)
        : false;
    if (!ok) throw AuthErrors.INVALID_MFA_CODE({ fields: [{ path: proof.recoveryCode ? 'recoveryCode' : 'code', message: 'Wrong or already used code' }] });
    await tx.nativeDelete(TotpFactor, { userId });
    await tx.nativeDelete(RecoveryCode, { userId });
    user.mfaEnabledAt = null;
    user.updatedAt = new Date();
    recordEvent(
      tx,
      userActor(request, userId),
      AuthEvents.of('mfa.disabled', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { method: 'totp' } }),
      [emailEffect({ template: 'mfa_disabled', tenantId: tenant.id, to: user.email, name: user.displayName })],
    );
    await tx.flush();
    return { enabled: false as const };
  });
}

/**
 * Replaces the recovery codes (all ten; the old ones stop working), shown once. Re-authentication:
 * a current TOTP code — a stolen session alone cannot mint codes that bypass the second factor.
 */
export async function regenerateRecoveryCodes(deps: ServiceContext, proof: { code: string }) {
  const userId = requireUser(deps).id;
  const { em, tenant, request } = deps;
  await limitClientIp(deps.redis, deps.config, request.ip);
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: userId, tenantId: tenant.id });
    const factor = await tx.findOne(TotpFactor, { userId, confirmedAt: { $ne: null } });
    if (!user.mfaEnabledAt || !factor) throw AuthErrors.MFA_NOT_ENABLED();
    if (!(await acceptTotp(tx, factor.id, openTotpSecret(deps.config, factor), proof.code))) {
      throw AuthErrors.INVALID_MFA_CODE({ fields: [{ path: 'code', message: 'Wrong or already used code' }] });
    }
    await tx.nativeDelete(RecoveryCode, { userId });
    const now = new Date();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
    for (const c of codes) {
      tx.create(RecoveryCode, { id: uuidv7(), tenantId: tenant.id, userId, codeHash: sha256(normalizeRecoveryCode(c)), usedAt: null, createdAt: now });
    }
    recordEvent(tx, userActor(request, userId), AuthEvents.of('mfa.recovery_codes_regenerated', { tenantId: tenant.id, target: { type: 'user', id: userId }, data: { recoveryCodes: RECOVERY_CODE_COUNT } }));
    await tx.flush();
    return { recoveryCodes: codes };
  });
}

/**
 * Completes an MFA challenge. Each attempt is counted atomically before the code is checked; at
 * AUTH_MFA_MAX_ATTEMPTS wrong codes the challenge is dead and the user must sign in again. A right
 * code consumes the challenge in the same statement, so it yields exactly one session.
 */
export async function verifyMfa(deps: AuthDeps, input: { challengeToken: string; code?: string; recoveryCode?: string }): Promise<SignInResult> {
  const { em, redis, config, tenant, request } = deps;
  await limitClientIp(redis, config, request.ip);
  const max = authConfig(config).AUTH_MFA_MAX_ATTEMPTS;
  const counted: { id: string; user_id: string; amr: string[]; attempts: number }[] = await em.execute(
    `update mfa_challenges set attempts = attempts + 1
      where token_hash = ? and tenant_id = ? and consumed_at is null and expires_at > now() and attempts < ?
      returning id, user_id, amr, attempts`,
    [sha256(input.challengeToken), tenant.id, max],
  );
  const challenge = counted[0];
  if (!challenge) throw AuthErrors.MFA_CHALLENGE_INVALID();
  const failed = async (tx: EntityManager) => {
    recordEvent(tx, userActor(request, challenge.user_id), AuthEvents.of('mfa.verification_failed', {
      tenantId: tenant.id,
      target: { type: 'user', id: challenge.user_id },
      outcome: 'failure',
      data: { challengeId: challenge.id, attempt: challenge.attempts, challengeInvalidated: challenge.attempts >= max },
    }));
    await tx.flush();
  };
  const result = await em.transactional(async (tx) => {
    const user = await tx.findOne(User, { id: challenge.user_id, tenantId: tenant.id });
    const factor = await tx.findOne(TotpFactor, { userId: challenge.user_id, confirmedAt: { $ne: null } });
    if (!user || !factor || user.disabledAt) return null;
    const method = input.code ? 'totp' : 'recovery_code';
    const ok = input.code
      ? await acceptTotp(tx, factor.id, openTotpSecret(deps.config, factor), input.code)
      : input.recoveryCode
        ? await acceptRecoveryCode(tx, user.id, input.recoveryCode)
        : false;
    if (!ok) return null;
    const consumed = await tx.execute(`update mfa_challenges set consumed_at = now() where id = ? and consumed_at is null returning id`, [challenge.id]);
    if (consumed.length === 0) return null;
    if (method === 'recovery_code') {
      recordEvent(tx, userActor(request, user.id), AuthEvents.of('mfa.recovery_code_used', { tenantId: tenant.id, target: { type: 'user', id: user.id }, data: {} }));
    }
    return finishSignIn(tx, deps, user, [...challenge.amr, 'otp'], `${challenge.amr.join('+')}+${method}`);
  });
  if (!result) {
    await em.transactional(failed);
    throw AuthErrors.INVALID_MFA_CODE({ fields: [{ path: input.code ? 'code' : 'recoveryCode', message: 'Wrong or already used code' }] });
  }
  return result;
}

