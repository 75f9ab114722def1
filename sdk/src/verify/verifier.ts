import {
  AccessTokenRejected,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  checkClaims,
  checkHeader,
  decodeToken,
  issuerPrefixOf,
  reject,
  tenantSlugOfIssuer,
  type AccessTokenClaims,
} from '../token-rules.js';
import { JwksCache, verifyParamsOf, type ImportedKey, type JwksCacheOptions } from './jwks.js';

export interface VerifiedToken {
  tenantSlug: string;
  tenantId: string;
  claims: AccessTokenClaims;
}

/** Whether a verified token was revoked since it was issued (see createIntrospectionRevocationCheck). */
export type RevocationCheck = (token: string, verified: VerifiedToken) => Promise<boolean>;

/**
 * Checks a signature with an imported key. The default is WebCrypto (every runtime); the Node
 * entry (`@plinto/sdk/server`) passes a synchronous `node:crypto` check instead.
 */
export type SignatureCheck = (key: ImportedKey, signature: Uint8Array, data: Uint8Array) => boolean | Promise<boolean>;

export const webCryptoSignatureCheck: SignatureCheck = (key, signature, data) =>
  crypto.subtle.verify(verifyParamsOf(key.alg), key.key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);

export interface TokenVerifierOptions {
  /** Plinto's PUBLIC_URL; a tenant's issuer is `{publicUrl}/t/{tenant}`. */
  publicUrl: string;
  /** The audience your API expects (the server's token audience, or your application's). */
  audience: string;
  /** Accept only tokens of these tenants (slugs). Default: any tenant of this Plinto. */
  tenants?: string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat. Default 30. */
  clockToleranceSeconds?: number;
  /** Where keys are fetched from when it differs from the issuer (a private network address). */
  jwksBaseUrl?: string;
  jwks?: JwksCache | JwksCacheOptions;
  revocation?: RevocationCheck;
  /** How signatures are checked (default: WebCrypto; `@plinto/sdk/server` uses node:crypto). */
  signatureCheck?: SignatureCheck;
  now?: () => number;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
  readonly jwks: JwksCache;
}

/**
 * Verifies Plinto access tokens with WebCrypto only (Node 20+, browsers, Cloudflare Workers,
 * Vercel edge): the shared token rules (token-rules.ts) around a signature check against the
 * tenant's JWK Set — the tenant the issuer names, so another tenant's key never verifies.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuerPrefix = issuerPrefixOf(options.publicUrl);
  const jwksPrefix = options.jwksBaseUrl ? issuerPrefixOf(options.jwksBaseUrl) : issuerPrefix;
  const jwks = options.jwks instanceof JwksCache ? options.jwks : new JwksCache(options.jwks);
  const allowed = options.tenants ? new Set(options.tenants.map((t) => t.toLowerCase())) : null;
  const skew = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const now = options.now ?? Date.now;
  const signatureCheck = options.signatureCheck ?? webCryptoSignatureCheck;

  async function verify(token: string): Promise<VerifiedToken> {
    const decoded = decodeToken(token);
    const header = checkHeader(decoded.header);
    const slug = tenantSlugOfIssuer(decoded.payload.iss, issuerPrefix);
    if (allowed && !allowed.has(slug)) reject('issuer', 'The token belongs to another tenant');
    const key = await jwks.key(`${jwksPrefix}${slug}`, header.kid);
    if (key.alg !== header.alg) reject('algorithm', 'The token algorithm does not match its key');
    const data = new TextEncoder().encode(decoded.signingInput);
    let valid: boolean;
    try {
      valid = await signatureCheck(key, decoded.signature, data);
    } catch {
      valid = false;
    }
    if (!valid) reject('signature', 'The token signature is not valid');
    const claims = checkClaims(decoded.payload, { issuer: `${issuerPrefix}${slug}`, audience: options.audience, clockToleranceSeconds: skew, now: now() / 1000 });
    const verified = { tenantSlug: slug, tenantId: claims.tid, claims };
    if (options.revocation && (await options.revocation(token, verified))) reject('revoked', 'The token has been revoked');
    return verified;
  }

  return { verify, jwks };
}

export { AccessTokenRejected };
