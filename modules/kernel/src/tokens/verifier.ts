import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import {
  ACCESS_TOKEN_TYPE,
  REQUIRED_CLAIMS,
  checkClaims,
  checkHeader,
  decodeToken,
  looksLikeJwt,
  reject,
  revocationKeysOf,
  tenantSlugOfIssuer,
  type AccessTokenAlgorithm,
  type AccessTokenClaims as SharedAccessTokenClaims,
} from '@plinto/sdk/token-rules';

export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  AccessTokenRejected,
  revocationKeysOf,
  type AccessTokenAlgorithm,
  type TokenRejection,
} from '@plinto/sdk/token-rules';

export interface VerificationKey {
  kid: string;
  tenantId: string;
  alg: AccessTokenAlgorithm;
  key: KeyObject;
}

/** The claims of a Plinto access token: the shared rules' definition (one place for server and SDK). */
export type AccessTokenClaims = SharedAccessTokenClaims & JWTPayload;

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
 * The header and claim rules are `@plinto/sdk/token-rules`, the module the SDK's verifiers use too.
 */
export class AccessTokenVerifier {
  constructor(private readonly deps: AccessTokenVerifierDeps) {}

  /** Whether `token` has the shape of a JWT (so other credential kinds can be tried otherwise). */
  static looksLikeJwt(token: string): boolean {
    return looksLikeJwt(token);
  }

  /** `audience`: where the token is presented, when not Plinto's API (userinfo accepts its own too). */
  async verify(token: string, options: { audience?: string | string[] } = {}): Promise<VerifiedAccessToken> {
    // The rules themselves live in @plinto/sdk/token-rules, shared with the SDK's verifiers.
    const decoded = decodeToken(token);
    const header = checkHeader(decoded.header);
    const issuer = String(decoded.payload.iss);
    const slug = tenantSlugOfIssuer(decoded.payload.iss, this.deps.issuerPrefix);

    const key = await this.deps.findKey(slug, header.kid);
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
        requiredClaims: [...REQUIRED_CLAIMS],
      });
      claims = verified.payload as AccessTokenClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return reject('expired', 'The token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) return reject('claims', `The token claim "${error.claim}" is not valid`);
      return reject('signature', 'The token signature is not valid');
    }
    // jose has checked the signature and the registered claims; the shared rules add tid ↔ key and iat.
    checkClaims(claims, { issuer, audience: options.audience ?? this.deps.audience, tenantId: key.tenantId, clockToleranceSeconds: this.deps.clockToleranceSeconds, now: Date.now() / 1000 });
    if (await this.deps.isRevoked(revocationKeysOf(claims))) reject('revoked', 'The token has been revoked');
    return { tenantId: key.tenantId, tenantSlug: slug, claims };
  }
}
