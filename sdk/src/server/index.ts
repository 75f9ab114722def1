import { createTokenVerifier as createVerifier, type TokenVerifier, type TokenVerifierOptions, type VerifiedToken } from '../verify/verifier.js';
import { nodeSignatureCheck } from './node-signature.js';

export { type TokenVerifier, type TokenVerifierOptions, type VerifiedToken, type RevocationCheck, type SignatureCheck } from '../verify/verifier.js';

/** The token verifier for servers: the shared rules, signatures checked with node:crypto where Node has it. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return createVerifier({ ...(nodeSignatureCheck ? { signatureCheck: nodeSignatureCheck } : {}), ...options });
}
export { JwksCache, type JwksCacheOptions, type EdgeCache } from '../verify/jwks.js';
export { createIntrospectionRevocationCheck, type IntrospectionRevocationOptions } from '../verify/revocation.js';
export { createRevocationFeed, REVOCATION_EVENT_TYPES, type RevocationFeed, type RevocationFeedOptions } from '../verify/revocation-feed.js';
export { createPolicyEvaluator, type PolicyEvaluator, type PolicyEvaluatorOptions, type EdgeDecision } from '../policy/index.js';
export { plintoAuth, bearerOf, type MiddlewareOptions, type NodeLikeRequest, type NodeLikeResponse } from './middleware.js';
export { createCan, type Can, type CanOptions, type Decision } from './can.js';
export { AccessTokenRejected, type AccessTokenClaims, type TokenRejection } from '../token-rules.js';

const verifiers = new Map<string, ReturnType<typeof createTokenVerifier>>();

/**
 * Verifies one access token (issuer, audience, typ, algorithms, clock skew, the tenant's JWKS).
 * Verifiers — and so their JWKS caches — are shared between calls with the same options.
 */
export function verifyAccessToken(token: string, options: TokenVerifierOptions): Promise<VerifiedToken> {
  const id = JSON.stringify([options.publicUrl, options.audience, options.tenants, options.clockToleranceSeconds, options.jwksBaseUrl]);
  let verifier = verifiers.get(id);
  if (!verifier || options.revocation || options.jwks) verifier = createTokenVerifier(options);
  if (!options.revocation && !options.jwks) verifiers.set(id, verifier);
  return verifier.verify(token);
}
