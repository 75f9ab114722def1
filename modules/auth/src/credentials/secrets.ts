import { randomBytes } from 'node:crypto';
import { randomToken, safeEqual, sha256 } from '@plinto/kernel';

/**
 * Credential formats. Recognisable prefixes let `authenticate` skip credentials that are not
 * ours without a query, and let secret scanners spot leaked ones. (`plk_` is the platform key's.)
 *   API key:        pak_<16 hex public id>_<43 base64url chars = 256 bits>
 *   client id:      cli_<16 hex>
 *   client secret:  pcs_<43 base64url chars = 256 bits>
 */
export const API_KEY_PREFIX = 'pak_';
export const CLIENT_ID_PREFIX = 'cli_';
export const CLIENT_SECRET_PREFIX = 'pcs_';

const API_KEY_RE = /^pak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const CLIENT_ID_RE = /^cli_[0-9a-f]{16}$/;

const publicId = () => randomBytes(8).toString('hex');

export function newApiKey(): { key: string; publicId: string; prefix: string; hash: string } {
  const id = publicId();
  const key = `${API_KEY_PREFIX}${id}_${randomToken(32)}`;
  return { key, publicId: id, prefix: `${API_KEY_PREFIX}${id}`, hash: sha256(key) };
}

/** The public id of a well-formed API key; null for anything else (not ours, or mangled). */
export function apiKeyPublicId(token: string): string | null {
  return API_KEY_RE.exec(token)?.[1] ?? null;
}

export const apiKeyPrefix = (publicId: string) => `${API_KEY_PREFIX}${publicId}`;

export function newClientCredentials(): { clientId: string; clientSecret: string; hash: string } {
  const clientSecret = `${CLIENT_SECRET_PREFIX}${randomToken(32)}`;
  return { clientId: `${CLIENT_ID_PREFIX}${publicId()}`, clientSecret, hash: sha256(clientSecret) };
}

export const isClientId = (value: string) => CLIENT_ID_RE.test(value);

/** A digest no secret has, compared against when the client is unknown (same work either way). */
const NO_SECRET = sha256(`no client ${randomToken(16)}`);

/** Constant-time: compares fixed-length SHA-256 digests, never the presented secret itself. */
export function secretMatches(presented: string, storedHash: string | undefined): boolean {
  return safeEqual(sha256(presented), storedHash ?? NO_SECRET) && storedHash !== undefined;
}
