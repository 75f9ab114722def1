import { CommonErrors, lacksRequiredMfa, randomToken, recordEvent, sha256, uuidv7, type EntityManager } from '@plinto/kernel';
import { MfaChallenge } from '../entities/mfa.entity';
import { authConfig } from '../config';
import { AuthErrors } from '../errors';
import type { SignInResult } from '../auth.schemas';
import { normalizePassword } from '../password/policy';
import { verifyDummy, verifyPassword } from '../password/hasher';
import { clearAccountAttempts, recordAccountFailure, releaseAccountAttempt, reserveAccountAttempt } from './throttle';
import { readUserByEmail, toUserDto, type UserRow } from './users.service';
import { startSession } from './session-start';
import { sessionTokens } from '../tokens/issue';
import { tokenServicesOf } from '../tokens/services';
import { authSettingsOf } from './tenant-settings';
import { userActor, type AuthDeps } from './deps';
import { AuthEvents } from '../events';
import { assuranceLevel } from './assurance';

/**
 * Email + password. The order matters for the attack surface:
 * 1. the client IP's budget and the account's, in one atomic script, before any hashing;
 * 2. exactly one argon2 verification whether or not the account exists (a dummy hash stands in),
 *    so a missing and an existing account answer with the same body after the same work;
 * 3. only after a correct password do we say anything account-specific (disabled, unverified, MFA).
 */
export async function signIn(deps: AuthDeps, input: { email: string; password: string }): Promise<SignInResult> {
  const { em, redis, config, tenant, request } = deps;
  // The account row is read while the budget is checked (the read reveals nothing and hashes
  // nothing): one wait instead of two. A refused reservation throws before any hashing.
  const reservation = reserveAccountAttempt(redis, config, tenant.id, input.email, { ip: request.ip });
  let slot: Awaited<typeof reservation>, user: Awaited<ReturnType<typeof readUserByEmail>>, ok: boolean;
  try {
    [slot, user] = await Promise.all([reservation, readUserByEmail(em, tenant.id, input.email)]);
    const password = normalizePassword(input.password);
    ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyDummy(password);
  } catch (error) {
    // No password was checked (PostgreSQL down, hasher overloaded): the slot is given back, so an
    // outage never locks an account. A refused reservation has nothing to give back.
    if (await reservation.then(() => true, () => false)) await releaseAccountAttempt(redis, config, tenant.id, input.email);
    throw error;
  }
  if (!ok || !user) {
    await recordAccountFailure(redis, config, tenant.id, input.email);
    await em.transactional(async (tx) => {
      const actor = userActor(request, user?.id ?? null);
      const target = user ? { type: 'user', id: user.id } : undefined;
      recordEvent(tx, actor, AuthEvents.of('user.sign_in_failed', {
        tenantId: tenant.id,
        target,
        outcome: 'failure',
        data: { email: input.email, method: 'password', reason: 'invalid_credentials', attempt: slot.attempt },
      }));
      // Exactly one attempt holds the slot equal to the threshold: the lock is recorded once.
      if (slot.attempt === slot.threshold) {
        recordEvent(tx, actor, AuthEvents.of('user.locked', {
          tenantId: tenant.id,
          target,
          data: { email: input.email, failedAttempts: slot.attempt, lockSeconds: authConfig(config).AUTH_ACCOUNT_LOCK_SECONDS },
        }));
      }
      await tx.flush();
    });
    throw CommonErrors.INVALID_CREDENTIALS();
  }
  // A fresh reservation expires by itself (see AccountSlot.fresh): one Redis round trip saved.
  // Otherwise the count is cleared alongside the session's statement, best effort: a clear that
  // fails leaves only this attempt counted until the key expires, which must not turn a correct
  // password into an error.
  const clearing = slot.fresh ? undefined : clearAccountAttempts(redis, config, tenant.id, input.email).catch(() => undefined);
  const result = await completeFirstFactor(deps, user, ['pwd'], 'password');
  await clearing;
  return result;
}

/**
 * The first factor is proven (password or magic link): refuse disabled or (if the tenant says so)
 * unverified accounts, else issue an MFA challenge for users with a second factor (TOTP, a passkey)
 * unless the first factor already proved two kinds, or a session for the rest.
 */
export async function completeFirstFactor(deps: AuthDeps, user: UserRow & { hasPasskey?: boolean }, amr: string[], method: string): Promise<SignInResult> {
  const { em, config, tenant, request } = deps;
  // The tenant's settings matter only for an unverified address: skip the lookup otherwise.
  const mustVerify = !user.emailVerifiedAt && authSettingsOf(tenant).requireVerifiedEmail === true;
  const refusal = user.disabledAt ? AuthErrors.USER_DISABLED() : mustVerify ? AuthErrors.EMAIL_NOT_VERIFIED() : null;
  const actor = userActor(request, user.id);
  const target = { type: 'user', id: user.id };
  if (refusal) {
    await em.transactional(async (tx) => {
      recordEvent(tx, actor, AuthEvents.of('user.sign_in_failed', {
        tenantId: tenant.id,
        target,
        outcome: 'failure',
        data: { email: user.email, method, reason: refusal.appCode.toLowerCase() },
      }));
      await tx.flush();
    });
    throw refusal;
  }
  const methods = await secondFactorsOf(em, user, amr);
  if (methods.length > 0) {
    return em.transactional(async (tx) => {
      const token = randomToken(32);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + authConfig(config).AUTH_MFA_CHALLENGE_TTL_MINUTES * 60_000);
      const challenge = tx.create(MfaChallenge, {
        id: uuidv7(now.getTime()),
        tenantId: tenant.id,
        userId: user.id,
        tokenHash: sha256(token),
        amr,
        attempts: 0,
        createdAt: now,
        expiresAt,
        consumedAt: null,
      });
      recordEvent(tx, actor, AuthEvents.of('mfa.challenge_issued', { tenantId: tenant.id, target, data: { challengeId: challenge.id, method } }));
      await tx.flush();
      return { status: 'mfa_required' as const, challengeToken: token, methods, expiresAt: expiresAt.toISOString() };
    });
  }
  const result = await finishSignIn(em, deps, user, amr, method);
  // The tenant requires a second factor and this user has none: signed in, but told to enrol
  // (the session holds no permission until a second factor is proven — the authorizer's rule).
  const mustEnrol = result.status === 'signed_in' && lacksRequiredMfa(tenant, { kind: 'user', attributes: { aal: result.aal } });
  return mustEnrol ? { ...result, mfaEnrollmentRequired: true } : result;
}

type SecondFactor = 'totp' | 'recovery_code' | 'passkey';

/**
 * What may complete an MFA challenge after this first factor: TOTP (and its recovery codes) when
 * enabled, a passkey when the user has one and did not just use one. None when the first factor
 * already proves two kinds of factor (a user-verifying passkey), or the user has no second factor.
 * `hasPasskey` comes with the row from the password path's one query; other paths ask.
 */
async function secondFactorsOf(em: EntityManager, user: UserRow & { hasPasskey?: boolean }, amr: string[]): Promise<SecondFactor[]> {
  if (assuranceLevel(amr) >= 2) return [];
  const methods: SecondFactor[] = user.mfaEnabledAt ? ['totp', 'recovery_code'] : [];
  if (!amr.includes('hwk') && (user.hasPasskey ?? (await hasPasskey(em, user.id)))) methods.push('passkey');
  return methods;
}

const hasPasskey = async (em: EntityManager, userId: string) =>
  (await em.execute<{ found: boolean }[]>('select exists(select 1 from passkeys where user_id = ?) as found', [userId]))[0]?.found === true;

/** Starts the session (one statement; joins `em`'s transaction if it is one) and issues its tokens. */
export async function finishSignIn(em: EntityManager, deps: AuthDeps, user: UserRow, amr: string[], method: string): Promise<SignInResult> {
  const session = await startSession(em, deps, user.id, amr, method);
  const tokens = await sessionTokens(tokenServicesOf(deps), deps.tenant, session, session.refreshToken);
  // The statement moved last sign-in forward unless it was within the minute; show the same.
  if (!user.lastSignInAt || Date.now() - user.lastSignInAt.getTime() > 60_000) user.lastSignInAt = new Date();
  return { status: 'signed_in', ...tokens, session_id: session.id, amr: session.amr, aal: session.aal, user: toUserDto(user) };
}
