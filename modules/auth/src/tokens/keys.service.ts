import type { ServiceContext } from '@plinto/kernel';
import { AuthErrors } from '../errors';
import { tokenEndpoint } from '../oauth/endpoints';
import { publishedKeys, rotateSigningKey, type SigningKeyRow } from './signing-keys';
import { tokenServicesOf } from './services';
import type { SessionTokens } from './issue';
import { forgetIdTokenSigners } from '../oidc/id-token-keys';

const toDto = (k: Pick<SigningKeyRow, 'kid' | 'alg' | 'status' | 'createdAt'> & { rotatedAt?: Date | null; retireAfter?: Date | null }) => ({
  kid: k.kid,
  alg: k.alg,
  status: k.status,
  createdAt: k.createdAt.toISOString(),
  rotatedAt: k.rotatedAt?.toISOString() ?? null,
  retireAfter: k.retireAfter?.toISOString() ?? null,
});

/** The tenant's published signing keys (public parts only); needs signing_keys:read. */
export async function listSigningKeys(sc: ServiceContext) {
  await sc.authz.require('signing_keys:read');
  return { items: (await publishedKeys(sc.em, sc.tenant.id)).map(toDto) };
}

/** Rotates now: a new current key (and ID-token keys); the old ones stay published until their tokens expire. Needs signing_keys:rotate. */
export async function rotateSigningKeyNow(sc: ServiceContext) {
  await sc.authz.require('signing_keys:rotate');
  const key = await rotateSigningKey(sc.em, sc.config, sc.tenant.id, sc.actor, 'manual');
  tokenServicesOf(sc).keyring.invalidate(sc.tenant.id);
  forgetIdTokenSigners(sc.tenant.id);
  return toDto({ ...key, rotatedAt: null, retireAfter: null });
}

/** First-party clients refresh over tRPC/REST too: the same rotation as the OAuth token endpoint. The refresh token is the credential. */
export async function refreshTokens(sc: ServiceContext, refreshToken: string): Promise<SessionTokens> {
  const response = await tokenEndpoint(sc, { grant_type: 'refresh_token', refresh_token: refreshToken }, undefined);
  if (response.status !== 200) throw AuthErrors.INVALID_REFRESH_TOKEN();
  return response.body as SessionTokens;
}
