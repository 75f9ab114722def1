import { AccessTokenRejected } from '../token-rules.js';
import type { TokenVerifier, VerifiedToken } from '../verify/verifier.js';

/** The parts of a Node/Express request and response this uses (no @types/node needed). */
export interface NodeLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  auth?: VerifiedToken;
}
export interface NodeLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export interface MiddlewareOptions {
  /** Let requests without a token through (unauthenticated); a bad token is still refused. */
  optional?: boolean;
  /** The `realm` of WWW-Authenticate. Default "plinto". */
  realm?: string;
}

export const bearerOf = (value: string | string[] | undefined | null): string | null => {
  const header = Array.isArray(value) ? value[0] : value;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
};

/** The 401 answer of RFC 6750 §3: what failed, in WWW-Authenticate and a JSON body. */
export function unauthorized(reason: string, message: string, realm = 'plinto') {
  const error = reason === 'missing' ? '' : ', error="invalid_token"';
  return {
    status: 401,
    headers: { 'www-authenticate': `Bearer realm="${realm}"${error}`, 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code: reason === 'missing' ? 'UNAUTHENTICATED' : 'INVALID_TOKEN', reason, message } }),
  };
}

/**
 * Express / Node `(req, res, next)` middleware: verifies the bearer access token and puts the
 * result at `req.auth`; answers 401 (RFC 6750) when it is missing or refused.
 */
export function plintoAuth(verifier: TokenVerifier, options: MiddlewareOptions = {}) {
  return (req: NodeLikeRequest, res: NodeLikeResponse, next: (error?: unknown) => void): void => {
    const token = bearerOf(req.headers.authorization);
    const refuse = (reason: string, message: string) => {
      const answer = unauthorized(reason, message, options.realm);
      res.statusCode = answer.status;
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      res.end(answer.body);
    };
    if (!token) return options.optional ? next() : refuse('missing', 'A bearer access token is required');
    verifier.verify(token).then(
      (verified) => {
        req.auth = verified;
        next();
      },
      (error: unknown) => (error instanceof AccessTokenRejected ? refuse(error.reason, error.message) : next(error)),
    );
  };
}
