import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { recordEvent, requireUser, uuidv7, type ServiceContext } from '@plinto/kernel';
import { loadUser } from '../services/users.service';
import { userActor } from '../services/deps';
import { Passkey } from './entities';
import { PasskeyErrors } from './errors';
import { PasskeyEvents } from './events';
import { relyingPartyOf } from './relying-party';
import { startCeremony, takeCeremony } from './ceremonies';
import { authenticatorName } from './authenticators';
import { rejectionReason, userHandleOf } from './verification';
import { toPasskeyDto } from './manage.service';
import type { PasskeyDto } from './schemas';

/**
 * The signed-in user starts registering a passkey: creation options for a discoverable credential
 * (so it can sign in without a typed email), excluding the ones already registered.
 */
export async function passkeyRegistrationOptions(sc: ServiceContext) {
  const principal = requireUser(sc);
  const user = await loadUser(sc.em, sc.tenant.id, principal.id);
  const rp = relyingPartyOf(sc.config, sc.tenant);
  const existing = await sc.em.find(Passkey, { userId: user.id, tenantId: sc.tenant.id }, { fields: ['credentialId', 'transports'] });
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: user.email,
    userID: userHandleOf(user.id),
    userDisplayName: user.displayName ?? user.email,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: rp.userVerification },
  });
  const ceremony = await startCeremony(sc.redis, sc.config, { kind: 'registration', tenantId: sc.tenant.id, challenge: options.challenge, userId: user.id, mfaChallengeId: null });
  return { ...ceremony, options: options as unknown as Record<string, unknown> };
}

/**
 * Verifies the browser's answer (challenge of THIS ceremony of THIS user, an allowed origin, the
 * tenant's RP ID, user verification when required) and stores the passkey.
 */
export async function registerPasskey(sc: ServiceContext, input: { ceremonyId: string; response: unknown; name?: string }): Promise<PasskeyDto> {
  const principal = requireUser(sc);
  const ceremony = await takeCeremony(sc.redis, sc.config, input.ceremonyId, { kind: 'registration', tenantId: sc.tenant.id, userId: principal.id });
  const rp = relyingPartyOf(sc.config, sc.tenant);
  const actor = userActor(sc.request, principal.id);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>> = { verified: false };
  let reason = 'bad_attestation';
  try {
    verified = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
    });
  } catch (error) {
    reason = rejectionReason(error);
  }
  if (!verified.verified) {
    await sc.em.transactional(async (tx) => {
      recordEvent(tx, actor, PasskeyEvents.of('passkey.rejected', { tenantId: sc.tenant.id, target: { type: 'user', id: principal.id }, outcome: 'failure', data: { purpose: 'registration', reason, passkeyId: null } }));
      await tx.flush();
    });
    throw PasskeyErrors.PASSKEY_REGISTRATION_FAILED({ details: { reason }, fields: [{ path: 'response', message: reason }] });
  }
  const info = verified.registrationInfo;
  const now = new Date();
  const authenticator = authenticatorName(info.aaguid);
  const row = {
    id: uuidv7(now.getTime()),
    tenantId: sc.tenant.id,
    userId: principal.id,
    credentialId: info.credential.id,
    publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    counter: info.credential.counter,
    transports: (info.credential.transports ?? []) as string[],
    aaguid: info.aaguid,
    name: input.name ?? authenticator ?? 'Passkey',
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    rpId: rp.rpId,
    createdAt: now,
    lastUsedAt: null,
  };
  return sc.em.transactional(async (tx) => {
    // The same credential twice (in this tenant): refused before insert, the unique index backs it.
    if (await tx.count(Passkey, { tenantId: sc.tenant.id, credentialId: row.credentialId })) throw PasskeyErrors.PASSKEY_ALREADY_REGISTERED();
    tx.create(Passkey, row);
    recordEvent(tx, actor, PasskeyEvents.of('passkey.registered', {
      tenantId: sc.tenant.id,
      target: { type: 'user', id: principal.id },
      data: { passkeyId: row.id, name: row.name, aaguid: row.aaguid, authenticator, backedUp: row.backedUp, deviceType: row.deviceType, userVerified: info.userVerified },
    }));
    await tx.flush();
    return toPasskeyDto(row);
  });
}
