import { CommonErrors, randomToken, type Config, type Redis } from '@plinto/kernel';
import { authConfig } from '../config';
import { PasskeyErrors } from './errors';

export type CeremonyKind = 'registration' | 'sign_in' | 'second_factor';

/**
 * One passkey ceremony waiting for its answer: the challenge the server chose and what it is
 * bound to (the tenant, the kind of ceremony, the user registering, the MFA challenge being
 * completed). Kept in Redis under an unguessable id for AUTH_PASSKEY_CHALLENGE_TTL_SECONDS, and
 * taken out (GETDEL) by the first answer, right or wrong: a challenge is never accepted twice.
 */
export interface Ceremony {
  kind: CeremonyKind;
  tenantId: string;
  challenge: string;
  userId: string | null;
  mfaChallengeId: string | null;
}

const key = (config: Config, id: string) => `${config.QUEUE_PREFIX}:auth:webauthn:${id}`;

async function redisCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw CommonErrors.SERVICE_UNAVAILABLE({ cause: error });
  }
}

export async function startCeremony(redis: Redis, config: Config, ceremony: Ceremony): Promise<{ ceremonyId: string; expiresAt: string }> {
  const id = randomToken(24);
  const ttl = authConfig(config).AUTH_PASSKEY_CHALLENGE_TTL_SECONDS;
  await redisCall(() => redis.set(key(config, id), JSON.stringify(ceremony), 'EX', ttl));
  return { ceremonyId: id, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
}

/**
 * Takes the ceremony out (once). Refused when it is unknown, expired, already answered, or was
 * started for another tenant, another kind of ceremony or another user.
 */
export async function takeCeremony(redis: Redis, config: Config, id: string, expected: { kind: CeremonyKind; tenantId: string; userId?: string }): Promise<Ceremony> {
  const raw = await redisCall(() => redis.getdel(key(config, id)));
  const ceremony = raw ? (JSON.parse(raw) as Ceremony) : null;
  const bound = ceremony && ceremony.kind === expected.kind && ceremony.tenantId === expected.tenantId && (expected.userId === undefined || ceremony.userId === expected.userId);
  if (!bound) throw PasskeyErrors.PASSKEY_CEREMONY_INVALID({ fields: [{ path: 'ceremonyId', message: 'Unknown, expired, already used or not this ceremony' }] });
  return ceremony;
}
