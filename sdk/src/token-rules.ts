/**
 * The rules an access token must meet, in one dependency-free module shared by the server's
 * verifier (`@plinto/kernel`'s AccessTokenVerifier) and every verifier of the SDK (Node and edge),
 * so that what the server accepts and what an app accepts cannot drift apart. No imports, no Node
 * or DOM APIs beyond `atob`/`TextDecoder` (present in Node, browsers and Workers).
 *
 * What they refuse, and why:
 * - any algorithm outside the allowlist (`none`, HS256 with a public key as secret, RS*);
 * - headers that name their own key (`jwk`, `jku`, `x5u`, `x5c`) or demand extensions (`crit`);
 * - a `typ` other than `at+jwt` (an ID token or any other JWT is not an access token, RFC 9068);
 * - an issuer that is not `{PUBLIC_URL}/t/{tenant}` — the tenant named by the issuer is the only
 *   one whose keys may verify the token, and its `tid` must be that tenant's id;
 * - `exp`/`nbf` outside the clock tolerance, an `iat` in the future, a missing `sub`/`jti`/`exp`/`iat`,
 *   an audience that is not the expected one.
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type AccessTokenAlgorithm = (typeof ACCESS_TOKEN_ALGORITHMS)[number];
export const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'] as const;
export const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti'] as const;
/** Default clock skew tolerated on exp/nbf/iat, in seconds (the server's default too). */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export type TokenRejection =
  | 'malformed'
  | 'algorithm'
  | 'header'
  | 'type'
  | 'issuer'
  | 'unknown_key'
  | 'signature'
  | 'claims'
  | 'expired'
  | 'revoked';

export class AccessTokenRejected extends Error {
  override name = 'AccessTokenRejected';
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
  }
}

export const reject = (reason: TokenRejection, message: string): never => {
  throw new AccessTokenRejected(reason, message);
};

/** Claims of a Plinto access token. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud?: string | string[];
  jti: string;
  exp: number;
  iat: number;
  nbf?: number;
  /** The tenant's id (the issuer names its slug). */
  tid: string;
  /** The session, for user tokens. */
  sid?: string;
  amr?: string[];
  /** Authentication assurance level (1, or 2 with a second factor). */
  aal?: number;
  /** Set on client-credentials tokens: the machine client the token was issued to. */
  client_id?: string;
  scope?: string;
  roles?: string[];
  org_id?: string;
  org_role?: string;
  [claim: string]: unknown;
}

export interface AccessTokenHeader {
  alg: AccessTokenAlgorithm;
  kid: string;
  typ: string;
  [name: string]: unknown;
}

export function base64UrlDecode(segment: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) reject('malformed', 'The token is not base64url');
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeJson(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64UrlDecode(segment)));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return reject('malformed', 'The token is not a JWT');
}

export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

/** Splits and decodes a compact JWS; verifies nothing. */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length !== 3) reject('malformed', 'The token is not a JWS in compact form');
  const [header, payload, signature] = parts as [string, string, string];
  return { header: decodeJson(header), payload: decodeJson(payload), signingInput: `${header}.${payload}`, signature: base64UrlDecode(signature) };
}

/** Whether `token` has the shape of a JWT (so other credential kinds can be tried otherwise). */
export const looksLikeJwt = (token: string): boolean => token.startsWith('eyJ') && token.split('.').length === 3;

/** The header rules: allowed algorithm, no self-named keys or extensions, typ at+jwt, a kid. */
export function checkHeader(header: Record<string, unknown>): AccessTokenHeader {
  if (!ACCESS_TOKEN_ALGORITHMS.includes(header.alg as AccessTokenAlgorithm)) reject('algorithm', 'The token algorithm is not accepted');
  for (const name of FORBIDDEN_HEADERS) if (name in header) reject('header', `The token header may not carry "${name}"`);
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : '';
  if (typ !== ACCESS_TOKEN_TYPE) reject('type', 'The token is not an access token (typ at+jwt)');
  if (typeof header.kid !== 'string' || !header.kid) reject('header', 'The token names no key');
  return header as AccessTokenHeader;
}

/** The tenant slug an issuer names (`{issuerPrefix}{slug}`), or a rejection. */
export function tenantSlugOfIssuer(issuer: unknown, issuerPrefix: string): string {
  const iss = typeof issuer === 'string' ? issuer : '';
  const slug = iss.startsWith(issuerPrefix) ? iss.slice(issuerPrefix.length) : '';
  if (!SLUG.test(slug)) reject('issuer', 'The token issuer is not one of ours');
  return slug;
}

/** `{PUBLIC_URL}/t/` from a public URL: a token's issuer is this prefix followed by its tenant's slug. */
export const issuerPrefixOf = (publicUrl: string): string => `${publicUrl.replace(/\/+$/, '')}/t/`;

export interface ClaimExpectations {
  issuer: string;
  audience: string;
  /** The id of the tenant whose key verified the token, when the verifier knows it. */
  tenantId?: string;
  clockToleranceSeconds: number;
  /** Seconds since the epoch. */
  now: number;
}

/** The payload rules, checked after the signature. */
export function checkClaims(payload: Record<string, unknown>, expected: ClaimExpectations): AccessTokenClaims {
  for (const claim of REQUIRED_CLAIMS) if (payload[claim] === undefined) reject('claims', `The token claim "${claim}" is missing`);
  const { now, clockToleranceSeconds: skew } = expected;
  const num = (name: string) => {
    const value = payload[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) reject('claims', `The token claim "${name}" is not a number`);
    return value as number | undefined;
  };
  const exp = num('exp')!;
  const nbf = num('nbf');
  const iat = num('iat')!;
  if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') reject('claims', 'The token claim "sub" is not valid');
  if (payload.iss !== expected.issuer) reject('claims', 'The token claim "iss" is not valid');
  const aud = payload.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expected.audience)) reject('claims', 'The token claim "aud" is not valid');
  if (exp <= now - skew) reject('expired', 'The token has expired');
  if (nbf !== undefined && nbf > now + skew) reject('claims', 'The token claim "nbf" is not valid');
  // A token issued in the future (beyond the clock skew) is forged or from a broken clock.
  if (iat > now + skew) reject('claims', 'The token "iat" claim lies in the future');
  if (typeof payload.tid !== 'string' || (expected.tenantId !== undefined && payload.tid !== expected.tenantId)) {
    reject('claims', 'The token tenant does not match its issuer');
  }
  return payload as AccessTokenClaims;
}

/** Revocation keys of a token: its session, its machine client and its own id. */
export function revocationKeysOf(claims: Pick<AccessTokenClaims, 'sid' | 'client_id' | 'jti'>): string[] {
  const keys = [`jti:${claims.jti}`];
  if (claims.sid) keys.push(`sid:${claims.sid}`);
  if (claims.client_id) keys.push(`client:${claims.client_id}`);
  return keys;
}
