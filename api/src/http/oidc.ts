import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import {
  authorize,
  decideInteraction,
  describeInteraction,
  planEndSession,
  revokeSessionById,
  userinfoEndpoint,
  type AuthorizeOutcome,
  type BrowserSession,
  type EndSessionPlan,
  type FormParams,
  type OAuthResponse,
} from '@plinto/auth';
import { cachedTenantBySlug } from '@plinto/tenants';
import { requestMeta, type Config, type Logger, type MikroORM, type ServiceRegistry, type TenantRef } from '@plinto/kernel';
import { sendError } from './error-body';
import { sendPage, wantsHtml } from './pages';
import { noteTenant } from './request-scope';

/** The browser session the hosted pages keep (api/src/http/browser-session.ts), as this router needs it. */
export interface BrowserSessions {
  sessionOf(req: Request, tenantSlug: string): Promise<BrowserSession | null>;
  /** The session id the tenant's cookie names, its seal checked (not its liveness). */
  sessionIdOf(req: Request, tenant: { id: string; slug: string }): string | null;
  clear(res: Response, tenantSlug: string): void;
  /** CSRF check for cookie-authenticated state changes (the consent decision). */
  requireCsrf: RequestHandler;
}

/**
 * The browser-facing half of the OpenID Connect provider, under each tenant's issuer: authorize,
 * the consent interaction the hosted consent page drives, userinfo and RP-initiated logout. The
 * decisions live in @plinto/auth's oidc services; this only reads the request (query or form, the
 * session cookie) and writes the answer (a redirect, or an error shown — never sent to a redirect
 * URI that could not be trusted).
 */
export function oidcRouter(deps: { orm: MikroORM; config: Config; logger: Logger; services: ServiceRegistry }, browser: BrowserSessions): Router {
  const router = Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });
  const json = express.json({ limit: '4kb' });
  const slugOf = (req: Request) => String(req.params.tenant).toLowerCase();

  async function depsOf(req: Request, res: Response) {
    const em = deps.orm.em.fork();
    const tenant = await cachedTenantBySlug(em, slugOf(req));
    noteTenant(tenant?.slug);
    if (!tenant || tenant.status !== 'active') {
      sendError(res, 'TENANT_NOT_FOUND');
      return null;
    }
    return { em, tenant, services: deps.services, config: deps.config, request: requestMeta(req) };
  }

  const guard = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (res.headersSent) return void deps.logger.error({ err: error, requestId: req.id }, 'oidc endpoint failed mid-answer');
      next(error);
    }
  };

  /** Query (GET) or form (POST) parameters; a repeated one is an error (RFC 6749 §3.1). */
  function paramsOf(req: Request): FormParams | string {
    const source = (req.method === 'GET' ? req.query : req.body ?? {}) as Record<string, unknown>;
    const params: FormParams = {};
    for (const [name, value] of Object.entries(source)) {
      if (typeof value !== 'string') return `Parameter ${name} is repeated or malformed`;
      params[name] = value;
    }
    return params;
  }

  const sendOAuth = (res: Response, response: OAuthResponse) => {
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.status(response.status).json(response.body);
  };

  /**
   * 303 to `location` with an empty body: res.redirect would negotiate (Accept) a "Redirecting to"
   * text or HTML body that no browser shows, on the hottest response of the code flow.
   */
  const seeOther = (res: Response, location: string) => {
    res.location(location);
    res.statusCode = 303;
    res.setHeader('content-length', '0');
    res.end();
  };

  /**
   * A redirect, or an error shown where it happened: a browser (asking for HTML) gets the hosted
   * error page with the same status, an API caller the OAuth JSON error.
   */
  const follow = (req: Request, res: Response, tenant: TenantRef | null, outcome: AuthorizeOutcome) => {
    res.setHeader('cache-control', 'no-store');
    if (outcome.kind === 'redirect') return seeOther(res, outcome.location);
    if (tenant && wantsHtml(req)) return sendPage(res, deps.config, tenant, outcome.status, { page: 'error', errorCode: outcome.reason ?? 'bad_request' });
    res.status(outcome.status).json({ error: outcome.error, error_description: outcome.description });
  };

  const authorizeHandler = guard(async (req, res) => {
    const found = await depsOf(req, res);
    if (!found) return;
    const params = paramsOf(req);
    if (typeof params === 'string') return follow(req, res, found.tenant, { kind: 'show', status: 400, error: 'invalid_request', description: params });
    const slug = found.tenant.slug;
    follow(req, res, found.tenant, await authorize(found, params, { sessionId: browser.sessionIdOf(req, found.tenant), load: () => browser.sessionOf(req, slug) }));
  });
  router.get('/oauth/authorize', authorizeHandler);
  router.post('/oauth/authorize', form, authorizeHandler);

  router.get(
    '/oauth/interaction/:id',
    guard(async (req, res) => {
      const found = await depsOf(req, res);
      if (!found) return;
      const answer = await describeInteraction(found, String(req.params.id), await browser.sessionOf(req, found.tenant.slug));
      res.setHeader('cache-control', 'no-store');
      res.status(answer.status).json(answer.body);
    }),
  );
  router.post(
    '/oauth/interaction/:id',
    json,
    browser.requireCsrf,
    guard(async (req, res) => {
      const found = await depsOf(req, res);
      if (!found) return;
      const decision = (req.body as { decision?: unknown } | undefined)?.decision;
      if (decision !== 'allow' && decision !== 'deny') return sendError(res, 'VALIDATION_FAILED', { fields: [{ path: 'decision', message: "Either 'allow' or 'deny'" }] });
      const answer = await decideInteraction(found, String(req.params.id), await browser.sessionOf(req, found.tenant.slug), decision);
      res.setHeader('cache-control', 'no-store');
      res.status(answer.status).json(answer.body);
    }),
  );

  const userinfo = guard(async (req, res) => {
    const found = await depsOf(req, res);
    if (!found) return;
    const bodyToken = req.method === 'POST' ? (req.body as { access_token?: unknown } | undefined)?.access_token : undefined;
    sendOAuth(res, await userinfoEndpoint(found, req.headers.authorization, typeof bodyToken === 'string' ? bodyToken : undefined));
  });
  router.get('/oauth/userinfo', userinfo);
  router.post('/oauth/userinfo', form, userinfo);

  /** The browser's session ends (server side and cookie), and the application session of the hint. */
  async function endSessions(req: Request, res: Response, found: NonNullable<Awaited<ReturnType<typeof depsOf>>>, hintSession: EndSessionPlan['hintSession']) {
    const session = await browser.sessionOf(req, found.tenant.slug);
    if (session) await revokeSessionById(found, session.userId, session.sessionId, 'signed_out');
    if (hintSession && (!session || hintSession.userId === session.userId)) {
      await revokeSessionById(found, hintSession.userId, hintSession.sessionId, 'signed_out');
    }
    // Only a request that carried the live session clears the cookie: a cross-site subresource (sent
    // without the Lax cookie) must not be able to drop it either.
    if (session) browser.clear(res, found.tenant.slug);
  }

  /** What the confirmation page carries back (never the hint: without one the user decides). */
  const CONFIRMED_PARAMS = ['client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'] as const;

  /**
   * RP-initiated logout. With a verified `id_token_hint` it proceeds at once. Without one the
   * request could come from any site (a cross-site link or image), so a browser that is signed in is
   * sent to the hosted "Sign out of {tenant}?" page, and only its CSRF-protected POST ends the
   * session (OIDC RP-Initiated Logout 1.0 §2: the OP should ask the user in that case).
   */
  const endSession = guard(async (req, res) => {
    const found = await depsOf(req, res);
    if (!found) return;
    const params = paramsOf(req);
    if (typeof params === 'string') return follow(req, res, found.tenant, { kind: 'show', status: 400, error: 'invalid_request', description: params });
    const plan = await planEndSession(found, params);
    if (plan.outcome.kind === 'show') return follow(req, res, found.tenant, plan.outcome);
    if (!plan.hinted && (await browser.sessionOf(req, found.tenant.slug))) {
      const confirm = new URLSearchParams();
      for (const name of CONFIRMED_PARAMS) if (params[name] !== undefined) confirm.set(name, params[name]);
      res.setHeader('cache-control', 'no-store');
      return res.redirect(303, `/t/${encodeURIComponent(found.tenant.slug)}/end-session${confirm.size > 0 ? `?${confirm}` : ''}`);
    }
    await endSessions(req, res, found, plan.hintSession);
    follow(req, res, found.tenant, plan.outcome);
  });
  router.get('/oauth/end-session', endSession);
  router.post('/oauth/end-session', form, endSession);

  /** The confirmation page's "Sign out" (JSON, the CSRF token of the session it ends). */
  router.post(
    '/oauth/end-session/confirm',
    json,
    browser.requireCsrf,
    guard(async (req, res) => {
      const found = await depsOf(req, res);
      if (!found) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const params: FormParams = {};
      for (const name of CONFIRMED_PARAMS) if (typeof body[name] === 'string') params[name] = body[name];
      const plan = await planEndSession(found, params);
      res.setHeader('cache-control', 'no-store');
      if (plan.outcome.kind === 'show') return void res.status(plan.outcome.status).json({ error: plan.outcome.error, error_description: plan.outcome.description, reason: plan.outcome.reason });
      await endSessions(req, res, found, null);
      res.json({ status: 'signed_out', redirectTo: plan.outcome.location });
    }),
  );
  return router;
}
