// The OIDC side of CORS: which provider endpoints browsers call (their origins are judged by
// api/src/http/cors.ts, which includes every application's allowedOrigins), and the public documents.
import type { NextFunction, Request, Response } from 'express';

/** The OIDC endpoints a browser app calls with a bearer token or a form (RFC 6749 / OIDC Core). */
export const BROWSER_OIDC_PATHS = ['/t/:tenant/oauth/token', '/t/:tenant/oauth/userinfo', '/t/:tenant/oauth/revoke'];

/**
 * Discovery and the JWKS are public documents every relying party may read, from any origin (as
 * every OpenID provider serves them): no credentials are involved.
 */
export function publicDocumentsCors(req: Request, res: Response, next: NextFunction): void {
  if (!req.headers.origin) return next();
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}
