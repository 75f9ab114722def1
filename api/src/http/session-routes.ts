import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, CommonErrors, isDependencyOutage, type CallFacts, type Logger, type ServiceContext } from '@plinto/kernel';
import { consumeMagicLink, currentSession, emailInput, passkeyMfaOptions, passkeySignIn, passkeySignInOptions, passwordInput, signIn, signOut, tokenInput, verifyMfa, verifyPasskeyMfa, type SignInResult } from '@plinto/auth';
import { acceptInvitation } from '@plinto/invitations';
import { sendError } from './error-body';
import { browserCallFacts, clearBrowserSession, csrfTokenOf, isSameOrigin, requireCsrf, setBrowserSession } from './browser-session';
import { safeReturnTo } from './return-to';

/**
 * The hosted pages' session endpoints, under /t/{tenant}/session: the steps that start a session
 * answer with the HttpOnly cookie (never a token in the body), GET tells the page who is signed in
 * and hands it the CSRF token, sign-out ends the session. Each step calls the same service as its
 * tRPC/REST twin, with a service context built from the request.
 */
export function sessionRoutes(deps: { serviceContextOf: (facts: CallFacts) => Promise<ServiceContext>; logger: Logger }): Router {
  const router = Router({ mergeParams: true });
  const slugOf = (req: Request) => String(req.params.tenant).toLowerCase();
  const scOf = (req: Request) => deps.serviceContextOf(browserCallFacts(req, slugOf(req)));

  /** Runs a step; maps its AppError to the REST error body (with the field at fault). */
  const step = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (error) {
      // The same body as the REST API's: code, fields at fault, and machine-readable details (e.g. a passkey refusal's reason).
      if (error instanceof AppError) return sendError(res, error.appCode, { message: error.message, fields: error.fields, details: error.details });
      if (isDependencyOutage(error)) return sendError(res, 'SERVICE_UNAVAILABLE');
      deps.logger.error({ err: error, requestId: req.id }, 'session step failed');
      sendError(res, 'INTERNAL');
    }
  };

  /** Input of a step, or 400 VALIDATION_FAILED naming each field at fault. */
  const parse = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
    const parsed = schema.safeParse(body ?? {});
    if (parsed.success) return parsed.data;
    throw CommonErrors.VALIDATION_FAILED({ fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  };

  /**
   * Steps taken before there is a session (sign-in, MFA, magic link): refused from another site,
   * so nobody can sign a visitor into the attacker's account (login CSRF). Their JSON body already
   * needs a preflight, which a cross-site page does not get.
   */
  const sameOrigin = (req: Request, res: Response, next: () => void) => (isSameOrigin(req) ? next() : sendError(res, 'CSRF_REJECTED'));

  /** A result that may carry a session: the cookie is set, the tokens are not sent. */
  const answer = (req: Request, res: Response, sc: ServiceContext, result: SignInResult | { session_id?: string }, returnTo: unknown) => {
    if ('status' in result && result.status === 'mfa_required') {
      res.json({ status: 'mfa_required', challengeToken: result.challengeToken, methods: result.methods, expiresAt: result.expiresAt });
      return;
    }
    if (!result.session_id) throw new Error('A sign-in step answered without a session');
    const csrfToken = setBrowserSession(res, { tenantId: sc.tenant.id, tenantSlug: sc.tenant.slug, sessionId: result.session_id });
    res.setHeader('Cache-Control', 'no-store');
    // The tenant requires a second factor the user does not have: to the account page to enrol first.
    const mustEnrol = 'mfaEnrollmentRequired' in result && result.mfaEnrollmentRequired === true;
    const redirectTo = mustEnrol ? `/t/${encodeURIComponent(sc.tenant.slug)}/account?mfa=required` : safeReturnTo(returnTo, sc.config.PUBLIC_URL, sc.tenant.slug);
    res.json({ status: 'signed_in', redirectTo, csrfToken });
  };

  const returnTo = z.string().max(2048).optional();

  router.get(
    '/',
    step(async (req, res) => {
      const sc = await scOf(req);
      res.setHeader('Cache-Control', 'no-store');
      if (!sc.principal || sc.principal.kind !== 'user') {
        // A cookie whose session is over is removed, so the page starts clean.
        if (csrfTokenOf(req, slugOf(req))) clearBrowserSession(res, slugOf(req));
        return sendError(res, 'UNAUTHENTICATED');
      }
      const session = await currentSession(sc);
      res.json({ ...session, authTime: (sc.principal.attributes.authTime as Date).toISOString(), csrfToken: csrfTokenOf(req, slugOf(req)) });
    }),
  );

  router.get('/return-to', (req, res) => {
    res.json({ redirectTo: safeReturnTo(req.query.return_to, depsConfigUrl(req), slugOf(req)) });
  });

  router.post(
    '/sign-in',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(z.object({ email: emailInput, password: passwordInput, returnTo }), req.body);
      const sc = await scOf(req);
      answer(req, res, sc, await signIn(sc, { email: input.email, password: input.password }), input.returnTo);
    }),
  );

  router.post(
    '/mfa',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(z.object({ challengeToken: z.string().min(16).max(200), code: z.string().max(16).optional(), recoveryCode: z.string().max(64).optional(), returnTo }), req.body);
      const sc = await scOf(req);
      answer(req, res, sc, await verifyMfa(sc, { challengeToken: input.challengeToken, code: input.code, recoveryCode: input.recoveryCode }), input.returnTo);
    }),
  );

  router.post(
    '/magic-link',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(z.object({ token: tokenInput, returnTo }), req.body);
      const sc = await scOf(req);
      answer(req, res, sc, await consumeMagicLink(sc, input.token), input.returnTo);
    }),
  );

  // Passkeys: the same ceremonies as /v1/auth/passkey…, answered with the cookie instead of tokens.
  const ceremony = z.object({ ceremonyId: z.string().min(16).max(100), response: z.record(z.string(), z.unknown()), returnTo });
  router.post(
    '/passkey/options',
    sameOrigin,
    step(async (req, res) => {
      res.json(await passkeySignInOptions(await scOf(req)));
    }),
  );
  router.post(
    '/passkey',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(ceremony, req.body);
      const sc = await scOf(req);
      answer(req, res, sc, await passkeySignIn(sc, { ceremonyId: input.ceremonyId, response: input.response }), input.returnTo);
    }),
  );
  router.post(
    '/mfa/passkey/options',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(z.object({ challengeToken: z.string().min(16).max(200) }), req.body);
      res.json(await passkeyMfaOptions(await scOf(req), input));
    }),
  );
  router.post(
    '/mfa/passkey',
    sameOrigin,
    step(async (req, res) => {
      const input = parse(ceremony.extend({ challengeToken: z.string().min(16).max(200) }), req.body);
      const sc = await scOf(req);
      answer(req, res, sc, await verifyPasskeyMfa(sc, { challengeToken: input.challengeToken, ceremonyId: input.ceremonyId, response: input.response }), input.returnTo);
    }),
  );

  /**
   * Accepting an invitation: a new account is created and signed in (cookie); a signed-in user
   * accepts with their cookie (then the CSRF token is required, as for any cookie state change).
   */
  router.post(
    '/accept-invitation',
    sameOrigin,
    (req, res, next) => (csrfTokenOf(req, slugOf(req)) ? requireCsrf(req, res, next) : next()),
    step(async (req, res) => {
      const input = parse(z.object({ token: z.string().min(16).max(200), password: z.string().min(1).max(256).optional(), name: z.string().trim().min(1).max(200).optional() }), req.body);
      const sc = await scOf(req);
      const accepted = await acceptInvitation(sc, input);
      if (accepted.session_id) return answer(req, res, sc, accepted, undefined);
      res.json({ status: 'accepted', redirectTo: safeReturnTo(undefined, sc.config.PUBLIC_URL, sc.tenant.slug) });
    }),
  );

  router.post(
    '/sign-out',
    requireCsrf,
    step(async (req, res) => {
      const sc = await scOf(req);
      if (sc.principal?.kind === 'user') await signOut(sc);
      clearBrowserSession(res, slugOf(req));
      res.json({ status: 'signed_out', redirectTo: `/t/${encodeURIComponent(slugOf(req))}/signed-out` });
    }),
  );

  return router;
}

const depsConfigUrl = (req: Request): string => (req.app.locals.browserSessions as { config: { PUBLIC_URL: string } }).config.PUBLIC_URL;
