import { Router, type Request, type Response } from 'express';
import { AppError, isDependencyOutage, type CallFacts, type Config, type Logger, type ServiceContext } from '@plinto/kernel';
import { finishSocialSignIn, startSocialSignIn } from '@plinto/auth';
import { sendError } from './error-body';
import { browserCallFacts, isSameOrigin, readCookie, setBrowserSession } from './browser-session';
import { safeReturnTo } from './return-to';

/**
 * The browser redirects of sign-in through an identity provider, under /t/{tenant}/social:
 * `/{connection}/start?return_to=/path[&intent=link]` sends the browser to the provider (and sets
 * the HttpOnly cookie that binds the attempt to this browser); `/{connection}/callback` is the
 * redirect URI the provider is given. Success sets the browser session and goes to `return_to`
 * (a same-origin path only); a refusal goes to the sign-in page with `?error=CODE` (a refused
 * link: to the account page).
 */
export function socialRoutes(deps: { serviceContextOf: (facts: CallFacts) => Promise<ServiceContext>; config: Config; logger: Logger }): Router {
  const router = Router({ mergeParams: true });
  const slugOf = (req: Request) => String(req.params.tenant).toLowerCase();
  const bindingCookie = (slug: string) => `plinto_sb_${slug}`;
  const secure = new URL(deps.config.PUBLIC_URL).protocol === 'https:' ? '; Secure' : '';
  const cookie = (slug: string, value: string, maxAge: number) => `${bindingCookie(slug)}=${value}; Max-Age=${maxAge}; Path=/t/${slug}/social; HttpOnly; SameSite=Lax${secure}`;
  const signInPage = (slug: string, code: string) => `/t/${slug}/sign-in?error=${encodeURIComponent(code)}`;

  const step = (handler: (req: Request, res: Response, slug: string) => Promise<void>) => async (req: Request, res: Response) => {
    const slug = slugOf(req);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await handler(req, res, slug);
    } catch (error) {
      if (error instanceof AppError) {
        // An unknown tenant has no sign-in page to go back to.
        if (error.status === 404 && error.appCode.startsWith('TENANT')) return sendError(res, error.appCode, { message: error.message });
        // A refused link (the person is signed in) goes back to the account page it started from.
        if (error.details?.link === true) return res.redirect(303, `/t/${slug}/account?error=${encodeURIComponent(error.appCode)}`);
        return res.redirect(303, signInPage(slug, error.appCode));
      }
      if (isDependencyOutage(error)) return sendError(res, 'SERVICE_UNAVAILABLE');
      deps.logger.error({ err: error, requestId: req.id }, 'social sign-in step failed');
      sendError(res, 'INTERNAL');
    }
  };

  router.get(
    '/:connection/start',
    step(async (req, res, slug) => {
      const link = req.query.intent === 'link';
      // Linking acts for the signed-in user: only from our own pages (a navigation from another
      // site says Sec-Fetch-Site: cross-site).
      if (link && !isSameOrigin(req)) return res.redirect(303, signInPage(slug, 'CSRF_REJECTED'));
      const sc = await deps.serviceContextOf(browserCallFacts(req, slug));
      const returnTo = safeReturnTo(req.query.return_to, deps.config.PUBLIC_URL, slug);
      const started = await startSocialSignIn(sc, { connection: String(req.params.connection), returnTo, link });
      res.append('Set-Cookie', cookie(slug, started.binding, started.bindingMaxAge));
      res.redirect(303, started.authorizationUrl);
    }),
  );

  router.get(
    '/:connection/callback',
    step(async (req, res, slug) => {
      const sc = await deps.serviceContextOf(browserCallFacts(req, slug));
      const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
      // The binding is single-use like the state: cleared whatever the outcome.
      res.append('Set-Cookie', cookie(slug, '', 0));
      const outcome = await finishSocialSignIn(sc, { connection: String(req.params.connection), state: q('state'), code: q('code'), error: q('error'), binding: readCookie(req, bindingCookie(slug)) });
      if (outcome.kind === 'linked') return res.redirect(303, outcome.returnTo);
      const result = outcome.result;
      if (result.status === 'mfa_required') {
        // The challenge rides in the fragment: never sent to a server, never in an access log.
        const fragment = new URLSearchParams({ challenge: result.challengeToken, methods: result.methods.join(',') });
        return res.redirect(303, `/t/${slug}/mfa?return_to=${encodeURIComponent(outcome.returnTo)}#${fragment}`);
      }
      setBrowserSession(res, { tenantId: sc.tenant.id, tenantSlug: sc.tenant.slug, sessionId: result.session_id });
      res.redirect(303, outcome.returnTo);
    }),
  );
  return router;
}
