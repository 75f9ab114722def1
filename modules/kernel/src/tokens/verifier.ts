import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

/**
 * The one access-token verifier: every entry point (HTTP, tRPC, WebSocket) accepts a JWT only
 * through `AccessTokenVerifier.verify`. What it refuses, and why:
 * - any algorithm outside the allowlist (`none`, HS256 with a public key as secret, RS*);
 * - headers that name their own key (`jwk`, `jku`, `x5u`, `x5c`) or demand extensions (`crit`);
 * - a `typ` other than `at+jwt` (an ID token or any other JWT is not an access token, RFC 9068);
 * - a `kid` that is not one of the keys of the tenant named by the token's own issuer — another
 *   tenant's key never verifies this tenant's tokens;
 * - `iss`, `aud`, `exp`, `nbf` outside a small clock leeway, or a `tid` that disagrees with the key;
 * - tokens of a revoked session, client or token id (see RevocationCheck; fails closed).
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type AccessTokenAlgorithm = (typeof ACCESS_TOKEN_ALGORITHMS)[number];

const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'] as const;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export interface VerificationKey {
  kid: string;
  tenantId: string;
  alg: AccessTokenAlgorithm;
  key: KeyObject;
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
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
}

export interface VerifiedAccessToken {
  tenantId: string;
  tenantSlug: string;
  claims: AccessTokenClaims;
}

export interface AccessTokenVerifierDeps {
  /** `{PUBLIC_URL}/t/`: a token's issuer is this prefix followed by its tenant's slug. */
  issuerPrefix: string;
  audience: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  clockToleranceSeconds: number;
  /** The key `kid` among the keys of the tenant `slug` only (current and not yet retired). */
  findKey(slug: string, kid: string): Promise<VerificationKey | null>;
  /** Whether any of the given revocation keys is revoked; throws when it cannot tell (fail closed). */
  isRevoked(keys: string[]): Promise<boolean>;
}

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
  constructor(readonly reason: TokenRejection, message: string) {
    super(message);
  }
}

const reject = (reason: TokenRejection, message: string): never => {
  throw new AccessTokenRejected(reason, message);
};

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return reject('malformed', 'The token is not a JWT');
}

/** Revocation keys of a token: its session, its machine client and its own id. */
export function revocationKeysOf(claims: Pick<AccessTokenClaims, 'sid' | 'client_id' | 'jti'>): string[] {
  const keys = [`jti:${claims.jti}`];
  if (claims.sid) keys.push(`sid:${claims.sid}`);
  if (claims.client_id) keys.push(`client:${claims.client_id}`);
  return keys;
}

export class AccessTokenVerifier {
  constructor(private readonly deps: AccessTokenVerifierDeps) {}

  /** Whether `token` has the shape of a JWT (so other credential kinds can be tried otherwise). */
  static looksLikeJwt(token: string): boolean {
    return token.startsWith('eyJ') && token.split('.').length === 3;
  }

  /** `audience`: where the token is presented, when not Plinto's API (userinfo accepts its own too). */
  async verify(token: string, options: { audience?: string | string[] } = {}): Promise<VerifiedAccessToken> {
    const parts = token.split('.');
    if (parts.length !== 3) reject('malformed', 'The token is not a JWS in compact form');
    const header = decodeSegment(parts[0]!);
    if (!ACCESS_TOKEN_ALGORITHMS.includes(header.alg as AccessTokenAlgorithm)) reject('algorithm', 'The token algorithm is not accepted');
    for (const name of FORBIDDEN_HEADERS) if (name in header) reject('header', `The token header may not carry "${name}"`);
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : '';
    if (typ !== ACCESS_TOKEN_TYPE) reject('type', 'The token is not an access token (typ at+jwt)');
    if (typeof header.kid !== 'string' || !header.kid) reject('header', 'The token names no key');

    const unverified = decodeSegment(parts[1]!);
    const issuer = typeof unverified.iss === 'string' ? unverified.iss : '';
    const slug = issuer.startsWith(this.deps.issuerPrefix) ? issuer.slice(this.deps.issuerPrefix.length) : '';
    if (!SLUG.test(slug)) reject('issuer', 'The token issuer is not one of ours');

    const key = await this.deps.findKey(slug, header.kid as string);
    if (!key) return reject('unknown_key', "The token's key is not one of its issuer's keys");
    if (key.alg !== header.alg) reject('algorithm', 'The token algorithm does not match its key');

    let claims: AccessTokenClaims;
    try {
      const verified = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        issuer,
        audience: options.audience ?? this.deps.audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: this.deps.clockToleranceSeconds,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      claims = verified.payload as AccessTokenClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return reject('expired', 'The token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) return reject('claims', `The token claim "${error.claim}" is not valid`);
      return reject('signature', 'The token signature is not valid');
    }
    if (claims.tid !== key.tenantId) reject('claims', 'The token tenant does not match its issuer');
    // jose checks exp and nbf; a token issued in the future (beyond the clock skew) is forged or from a broken clock.
    if (claims.iat > Date.now() / 1000 + this.deps.clockToleranceSeconds) reject('claims', 'The token "iat" claim lies in the future');
    if (await this.deps.isRevoked(revocationKeysOf(claims))) reject('revoked', 'The token has been revoked');
    return { tenantId: key.tenantId, tenantSlug: slug, claims };
  }
}
