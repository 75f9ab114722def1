import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { recordEvent, sha256 } from '@plinto/kernel';
import { User } from '../entities/user.entity';
import { authConfig } from '../config';
import { AuthErrors } from '../errors';
import type { SignInResult } from '../auth.schemas';
import { limitClientIp } from '../services/throttle';
import { completeFirstFactor, finishSignIn } from '../services/sign-in.service';
import { userActor, type AuthDeps } from '../services/deps';
import { Passkey } from './entities';
import { PasskeyErrors } from './errors';
import { PasskeyEvents } from './events';
import { relyingPartyOf } from './relying-party';
import { startCeremony, takeCeremony, type Ceremony } from './ceremonies';
import { rejectionReason, userIdOfHandle } from './verification';
import { advanceCounter, readCredential, type StoredPasskey } from './assertion-store';

type Purpose = 'sign_in' | 'second_factor';

/**
 * Sign-in with a passkey, first step: a challenge for a discoverable credential (no email typed;
 * the browser offers the passkeys it holds for the RP ID — the button or the autofill list).
 */
export async function passkeySignInOptions(deps: AuthDeps) {
  await limitClientIp(deps.redis, deps.config, deps.request.ip);
  const rp = relyingPartyOf(deps.config, deps.tenant);
  const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: rp.userVerification, allowCredentials: [] });
  const ceremony = await startCeremony(deps.redis, deps.config, { kind: 'sign_in', tenantId: deps.tenant.id, challenge: options.challenge, userId: null, mfaChallengeId: null });
  return { ...ceremony, options: options as unknown as Record<string, unknown> };
}

/**
 * Sign-in with a passkey, second step. A user-verifying passkey proves two kinds of factor by
 * itself (AAL2, no MFA challenge); one that only tested presence is a single factor, and a user
 * with TOTP then completes the MFA challenge as after a password.
 */
export async function passkeySignIn(deps: AuthDeps, input: { ceremonyId: string; response: unknown }): Promise<SignInResult> {
  const response = input.response as AuthenticationResponseJSON;
  // The credential is read while the budget is checked and the ceremony taken (the read decides
  // nothing and reveals nothing): one wait instead of three. The order of the refusals stays:
  // budget, then ceremony, then credential.
  const [budget, taken, read] = await Promise.allSettled([
    limitClientIp(deps.redis, deps.config, deps.request.ip),
    takeCeremony(deps.redis, deps.config, input.ceremonyId, { kind: 'sign_in', tenantId: deps.tenant.id }),
    credentialOf(deps, response),
  ]);
  const ceremony = settledInOrder(budget, taken);
  const stored = settledInOrder(read);
  const { userVerified } = await verifyAssertion(deps, ceremony, response, 'sign_in', stored);
  return completeFirstFactor(deps, stored!.user, userVerified ? ['hwk', 'mfa'] : ['hwk'], 'passkey');
}

/** The first refusal in the order given, else the last value. */
function settledInOrder<T>(...results: [...PromiseSettledResult<unknown>[], PromiseSettledResult<T>]): T {
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return (results.at(-1) as PromiseFulfilledResult<T>).value;
}

/** The tenant's stored credential the response names (with its user), or null. */
const credentialOf = (deps: AuthDeps, response: AuthenticationResponseJSON) =>
  typeof response?.id === 'string' && response.id === response.rawId ? readCredential(deps.em, deps.tenant.id, response.id) : Promise.resolve(null);

/** The live MFA challenge of this token (not consumed, not expired, attempts left), or 401. */
async function liveMfaChallenge(deps: AuthDeps, challengeToken: string) {
  const [row] = await deps.em.execute<{ id: string; user_id: string }[]>(
    `select id, user_id from mfa_challenges
      where token_hash = ? and tenant_id = ? and consumed_at is null and expires_at > now() and attempts < ?`,
    [sha256(challengeToken), deps.tenant.id, authConfig(deps.config).AUTH_MFA_MAX_ATTEMPTS],
  );
  if (!row) throw AuthErrors.MFA_CHALLENGE_INVALID();
  return row;
}

/** A passkey as the second factor after a password (or magic link): a challenge for the user's passkeys. */
export async function passkeyMfaOptions(deps: AuthDeps, input: { challengeToken: string }) {
  await limitClientIp(deps.redis, deps.config, deps.request.ip);
  const challenge = await liveMfaChallenge(deps, input.challengeToken);
  const passkeys = await deps.em.find(Passkey, { userId: challenge.user_id, tenantId: deps.tenant.id }, { fields: ['credentialId', 'transports'] });
  if (passkeys.length === 0) throw PasskeyErrors.PASSKEY_NOT_FOUND({ message: 'No passkey is registered for this account' });
  const rp = relyingPartyOf(deps.config, deps.tenant);
  // A second factor needs possession only: presence suffices (the password was the knowledge).
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    userVerification: 'preferred',
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
  });
  const ceremony = await startCeremony(deps.redis, deps.config, { kind: 'second_factor', tenantId: deps.tenant.id, challenge: options.challenge, userId: challenge.user_id, mfaChallengeId: challenge.id });
  return { ...ceremony, options: options as unknown as Record<string, unknown> };
}

/**
 * Completes an MFA challenge with a passkey. The attempt counts against the challenge like a code
 * does; the ceremony must be the one started for THIS challenge, the passkey the challenged user's.
 */
export async function verifyPasskeyMfa(deps: AuthDeps, input: { challengeToken: string; ceremonyId: string; response: unknown }): Promise<SignInResult> {
  const { em, tenant, request } = deps;
  await limitClientIp(deps.redis, deps.config, request.ip);
  const ceremony = await takeCeremony(deps.redis, deps.config, input.ceremonyId, { kind: 'second_factor', tenantId: tenant.id });
  const [challenge] = await em.execute<{ id: string; user_id: string; amr: string[] }[]>(
    `update mfa_challenges set attempts = attempts + 1
      where token_hash = ? and tenant_id = ? and consumed_at is null and expires_at > now() and attempts < ?
      returning id, user_id, amr`,
    [sha256(input.challengeToken), tenant.id, authConfig(deps.config).AUTH_MFA_MAX_ATTEMPTS],
  );
  if (!challenge || challenge.id !== ceremony.mfaChallengeId) throw AuthErrors.MFA_CHALLENGE_INVALID();
  const response = input.response as AuthenticationResponseJSON;
  const { userVerified } = await verifyAssertion(deps, ceremony, response, 'second_factor', await credentialOf(deps, response), challenge.user_id);
  return em.transactional(async (tx) => {
    const user = await tx.findOne(User, { id: challenge.user_id, tenantId: tenant.id });
    if (!user || user.disabledAt) throw AuthErrors.MFA_CHALLENGE_INVALID();
    const consumed = await tx.execute(`update mfa_challenges set consumed_at = now() where id = ? and consumed_at is null returning id`, [challenge.id]);
    if (consumed.length === 0) throw AuthErrors.MFA_CHALLENGE_INVALID();
    const amr = [...new Set([...challenge.amr, 'hwk', ...(userVerified ? ['mfa'] : [])])];
    return finishSignIn(tx, deps, user, amr, `${challenge.amr.join('+')}+passkey`);
  });
}

/** Records the refusal (its own transaction: it must outlive the refused call) and returns the error to throw. */
async function rejected(deps: AuthDeps, purpose: Purpose, reason: string, passkey: Pick<StoredPasskey, 'id' | 'userId'> | null) {
  await deps.em.transactional(async (tx) => {
    recordEvent(tx, userActor(deps.request, passkey?.userId ?? null), PasskeyEvents.of('passkey.rejected', {
      tenantId: deps.tenant.id,
      target: passkey ? { type: 'user', id: passkey.userId } : undefined,
      outcome: 'failure',
      data: { purpose, reason, passkeyId: passkey?.id ?? null },
    }));
    await tx.flush();
  });
  return PasskeyErrors.PASSKEY_REJECTED({ details: { reason } });
}

/**
 * Verifies an assertion against the ceremony's challenge, the tenant's origins and RP ID and the
 * stored public key, then applies the signature-counter rule atomically, together with the use's
 * audit and event rows: when the authenticator or the stored passkey has a counter, the new one
 * must be greater, or the assertion is refused and audited as a possible clone. (The library's
 * own counter check runs before the signature check; ours runs after it, so only a genuinely
 * signed regression is reported as one.)
 */
async function verifyAssertion(
  deps: AuthDeps,
  ceremony: Ceremony,
  response: AuthenticationResponseJSON,
  purpose: Purpose,
  stored: Awaited<ReturnType<typeof readCredential>>,
  boundUserId?: string,
) {
  const passkey = stored?.passkey;
  if (!passkey || (boundUserId && passkey.userId !== boundUserId)) throw await rejected(deps, purpose, 'unknown_credential', null);
  const handle = response.response?.userHandle;
  if (handle && userIdOfHandle(handle) !== passkey.userId) throw await rejected(deps, purpose, 'user_handle_mismatch', passkey);
  const rp = relyingPartyOf(deps.config, deps.tenant);
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: { id: passkey.credentialId, publicKey: isoBase64URL.toBuffer(passkey.publicKey), counter: 0, transports: passkey.transports as never },
      requireUserVerification: purpose === 'sign_in' && rp.userVerification === 'required',
    });
  } catch (error) {
    throw await rejected(deps, purpose, rejectionReason(error), passkey);
  }
  if (!verified.verified) throw await rejected(deps, purpose, 'bad_signature', passkey);
  const { newCounter, userVerified, credentialBackedUp } = verified.authenticationInfo;
  const actor = userActor(deps.request, passkey.userId);
  const target = { type: 'user', id: passkey.userId };
  const advanced = await advanceCounter(deps.em, passkey.id, { counter: newCounter, backedUp: credentialBackedUp }, {
    actor,
    event: PasskeyEvents.of('passkey.used', { tenantId: deps.tenant.id, target, data: { passkeyId: passkey.id, name: passkey.name, purpose, userVerified, counter: newCounter } }),
  });
  if (!advanced.advanced) {
    await deps.em.transactional(async (tx) => {
      recordEvent(tx, actor, PasskeyEvents.of('passkey.counter_regressed', {
        tenantId: deps.tenant.id,
        target,
        outcome: 'failure',
        data: { passkeyId: passkey.id, name: passkey.name, storedCounter: advanced.storedCounter, presentedCounter: newCounter },
      }));
      await tx.flush();
    });
    throw await rejected(deps, purpose, 'counter_regression', passkey);
  }
  return { passkey, userVerified, counter: newCounter };
}
