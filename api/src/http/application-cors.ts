import type { NextFunction, Request, Response } from 'express';
import { applicationAllowsOrigin } from '@plinto/auth';
import { addOriginPolicy } from './cors';

/**
 * OpenID Connect applications' `allowedOrigins` join the API's CORS policy (api/src/http/cors.ts):
 * a SPA registered with its origin calls /trpc, /v1 and the token, userinfo and revocation
 * endpoints from the browser with bearer tokens. Registered once per process.
 */
let registered = false;
export function allowApplicationOrigins(): void {
  if (registered) return;
  registered = true;
  addOriginPolicy(({ origin, tenant, preflight, em }) => {
    if (tenant) return applicationAllowsOrigin(em, origin, tenant.id);
    return preflight ? applicationAllowsOrigin(em, origin, null) : false;
  });
}

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
