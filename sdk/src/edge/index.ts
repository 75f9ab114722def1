import { AccessTokenRejected } from '../token-rules.js';
import { bearerOf, unauthorized } from '../server/middleware.js';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions, type VerifiedToken } from '../verify/verifier.js';
import type { EdgeCache } from '../verify/jwks.js';

export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions, type VerifiedToken } from '../verify/verifier.js';
export { JwksCache, type EdgeCache } from '../verify/jwks.js';
export { createIntrospectionRevocationCheck } from '../verify/revocation.js';
export { createRevocationFeed, REVOCATION_EVENT_TYPES, type RevocationFeed, type RevocationFeedOptions } from '../verify/revocation-feed.js';
export { AccessTokenRejected } from '../token-rules.js';
export { createPolicyEvaluator, verifyPolicyBundle, decideOnBundle, PolicyBundleRejected, DelegatedDecision, type PolicyEvaluator, type PolicyEvaluatorOptions, type EdgeDecision, type VerifiedBundle } from '../policy/index.js';
export { clientCredentialsToken, type ClientCredentials, type AccessTokenSource } from '../verify/client-token.js';

export interface EdgeAuthOptions extends TokenVerifierOptions {
  /** Let requests without a token through (`auth` is then null); a bad token is still refused. */
  optional?: boolean;
}

const refusal = (reason: string, message: string) => {
  const answer = unauthorized(reason, message);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
};

/** Verifies a Request's bearer token: the verified token, null (none sent, optional), or a 401 Response. */
export async function authenticateRequest(verifier: TokenVerifier, request: Request, optional = false): Promise<VerifiedToken | null | Response> {
  const token = bearerOf(request.headers.get('authorization'));
  if (!token) return optional ? null : refusal('missing', 'A bearer access token is required');
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof AccessTokenRejected) return refusal(error.reason, error.message);
    throw error;
  }
}

/** `caches.default` when running in Cloudflare Workers, else nothing. */
const workersCache = (): EdgeCache | undefined => (globalThis as { caches?: { default?: EdgeCache } }).caches?.default;

/**
 * Cloudflare Workers: wraps a fetch handler so it only runs for a verified token.
 * `export default { fetch: withPlintoAuth({ publicUrl, audience }, (request, env, ctx, auth) => …) }`
 * One verifier per isolate: keys are cached in memory and in the Workers Cache API (new isolates
 * start warm), fetched single-flight, refetched on an unknown kid (rotation) with a cooldown.
 */
export function withPlintoAuth<Env = unknown, Ctx = unknown>(
  /** The options, or a function of the Worker's env (its vars and secrets) returning them. */
  options: EdgeAuthOptions | ((env: Env) => EdgeAuthOptions),
  handler: (request: Request, env: Env, ctx: Ctx, auth: VerifiedToken | null) => Response | Promise<Response>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  let verifier: TokenVerifier | null = null;
  let resolved: EdgeAuthOptions | null = null;
  return async (request, env, ctx) => {
    resolved ??= typeof options === 'function' ? options(env) : options;
    verifier ??= createTokenVerifier({ ...resolved, jwks: resolved.jwks ?? { edgeCache: workersCache() } });
    const auth = await authenticateRequest(verifier, request, resolved.optional);
    if (auth instanceof Response) return auth;
    return handler(request, env, ctx, auth);
  };
}

/**
 * Next.js middleware / Vercel edge functions: `export const middleware = plintoEdgeMiddleware({ … })`.
 * Answers 401 for a refused token and `undefined` (continue, in Next.js middleware) otherwise.
 */
export function plintoEdgeMiddleware(options: EdgeAuthOptions) {
  let verifier: TokenVerifier | null = null;
  return async (request: Request): Promise<Response | undefined> => {
    verifier ??= createTokenVerifier(options);
    const auth = await authenticateRequest(verifier, request, options.optional);
    if (auth instanceof Response) return auth;
    return undefined;
  };
}
