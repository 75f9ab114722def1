import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  discoveryDocument,
  introspectionEndpoint,
  jwksDocument,
  revocationEndpoint,
  tokenEndpoint,
  type FormParams,
  type OAuthResponse,
} from '@plinto/auth';
import { cachedTenantBySlug } from '@plinto/tenants';
import { AppError, requestMeta, retryAfterOf, type Config, type Logger, type MikroORM, type ServiceRegistry } from '@plinto/kernel';
import { sendError } from './error-body';
import { noteTenant } from './request-scope';
import { isSmallForm, parseSmallForm, readSmallForm } from './small-form';

/**
 * The OAuth/OIDC surface of each tenant, under its issuer `{PUBLIC_URL}/t/{tenant}`: discovery,
 * JWKS, token (refresh_token, client_credentials), introspection (RFC 7662) and revocation
 * (RFC 7009). Plain Express, not tRPC: these follow the RFCs to the letter (form-encoded bodies,
 * Basic client authentication, `{error, error_description}` bodies) so that standard OAuth client
 * libraries work against them unmodified.
 */
type Handler = typeof tokenEndpoint;

const FORM_LIMIT_BYTES = 16 * 1024;
const FORM_PARAMETER_LIMIT = 50;
const TOKEN_PATH = /^\/t\/([^/?]+)\/oauth\/token(?:\?|$)/;

/** The tenant slug of a `/t/{tenant}/oauth/token` URL, decoded; null for any other URL. */
function tokenPathTenant(url: string): string | null {
  const slug = TOKEN_PATH.exec(url)?.[1];
  if (slug === undefined) return null;
  try {
    return decodeURIComponent(slug);
  } catch {
    return null;
  }
}

export function oauthEndpoints(deps: { orm: MikroORM; config: Config; logger: Logger; services: ServiceRegistry }): { router: Router; tokenFastPath: RequestHandler } {
  const router = Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT_BYTES, parameterLimit: FORM_PARAMETER_LIMIT });

  async function tenantOf(slug: string, res: Response) {
    const em = deps.orm.em.fork();
    const tenant = await cachedTenantBySlug(em, slug.toLowerCase());
    noteTenant(tenant?.slug);
    if (!tenant || tenant.status !== 'active') {
      sendError(res, 'TENANT_NOT_FOUND');
      return null;
    }
    return { em, tenant, services: deps.services };
  }

  // Written directly, not through res.json: an OAuth answer is never cached (no-store), so Express's
  // ETag (a SHA-1 of every token response) and freshness check are work for nothing.
  const send = (res: Response, response: OAuthResponse) => {
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.statusCode = response.status;
    if (response.body === undefined) return void res.end();
    const body = JSON.stringify(response.body);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };

  const guard = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (res.headersSent) return void deps.logger.error({ err: error, requestId: req.id }, 'oauth endpoint failed mid-answer');
      // RFC 6749 §4.1.2.1 names this answer for a server that cannot serve for now (an outage, a
      // throttle): the status says which, Retry-After says when to come back.
      const wait = retryAfterOf(error);
      if (wait !== null) {
        const status = error instanceof AppError ? error.status : 503;
        if (status === 503) deps.logger.warn({ err: error, requestId: req.id }, 'dependency unavailable');
        const description = error instanceof AppError ? error.message : 'A dependency is unavailable; try again shortly';
        return send(res, { status, headers: { 'cache-control': 'no-store', 'retry-after': String(wait) }, body: { error: 'temporarily_unavailable', error_description: description } });
      }
      deps.logger.error({ err: error, requestId: req.id }, 'oauth endpoint failed');
      send(res, { status: 500, headers: { 'cache-control': 'no-store' }, body: { error: 'server_error', error_description: 'Internal error' } });
    }
  };

  // RFC 8414's name for the same document serves plain OAuth clients.
  router.get(
    ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
    guard(async (req, res) => {
      const found = await tenantOf(String(req.params.tenant), res);
      if (!found) return;
      res.setHeader('cache-control', 'public, max-age=3600');
      res.json(discoveryDocument({ ...found, config: deps.config }));
    }),
  );
  router.get(
    '/.well-known/jwks.json',
    guard(async (req, res) => {
      const found = await tenantOf(String(req.params.tenant), res);
      if (!found) return;
      // Short enough that a rotated-in key is fetched soon; verifiers refetch on an unknown kid anyway.
      res.setHeader('cache-control', 'public, max-age=300, stale-while-revalidate=60');
      res.json(await jwksDocument({ ...found, config: deps.config }));
    }),
  );

  /** Answers a form-encoded endpoint of the tenant named `slug`, given the form's fields. */
  async function answerForm(req: Request, res: Response, handler: Handler, slug: string, fields: Record<string, unknown>) {
    const found = await tenantOf(slug, res);
    if (!found) return;
    const params: FormParams = {};
    for (const [name, value] of Object.entries(fields)) {
      // RFC 6749 §3.2: parameters must not be repeated.
      if (Array.isArray(value)) {
        return send(res, { status: 400, headers: { 'cache-control': 'no-store' }, body: { error: 'invalid_request', error_description: `Parameter ${name} is repeated` } });
      }
      params[name] = String(value);
    }
    send(res, await handler({ ...found, config: deps.config, request: requestMeta(req) }, params, req.headers.authorization));
  }

  const formEndpoint = (handler: Handler) =>
    guard(async (req, res) => {
      if (!req.is('application/x-www-form-urlencoded')) {
        return send(res, { status: 400, headers: { 'cache-control': 'no-store' }, body: { error: 'invalid_request', error_description: 'The body must be application/x-www-form-urlencoded' } });
      }
      await answerForm(req, res, handler, String(req.params.tenant), (req.body ?? {}) as Record<string, unknown>);
    });

  router.post('/oauth/token', form, formEndpoint(tokenEndpoint));
  router.post('/oauth/introspect', form, formEndpoint(introspectionEndpoint));
  router.post('/oauth/revoke', form, formEndpoint(revocationEndpoint));

  /**
   * The token endpoint as servers call it (no Origin, a small UTF-8 form of declared length),
   * answered before Express's routing and body-parser: for a client-credentials grant those were
   * about a sixth of the api's CPU (router layers, type-is, raw-body, qs; measured). Same tenant
   * lookup, same parameters, same answers; a browser's call (CORS) and any other body go on to
   * the routes above.
   */
  async function answerFastToken(req: Request, res: Response, slug: string) {
    const body = await readSmallForm(req, Number(req.headers['content-length']));
    if (body === null) return; // the client went away mid-body
    const fields = parseSmallForm(body, FORM_PARAMETER_LIMIT);
    if (!fields) return sendError(res, 'PAYLOAD_TOO_LARGE'); // as body-parser's refusal is answered (app.ts)
    await answerForm(req, res, tokenEndpoint, slug, fields);
  }
  const tokenFastPath: RequestHandler = (req, res, next) => {
    const slug = req.method === 'POST' && req.headers.origin === undefined && isSmallForm(req, FORM_LIMIT_BYTES) ? tokenPathTenant(req.url) : null;
    if (slug === null) return next();
    void guard((rq, rs) => answerFastToken(rq, rs, slug))(req, res);
  };
  return { router, tokenFastPath };
}
