import { createHmac } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { callFacts, defineErrors, derivedKey, isDependencyOutage, requestMeta, safeEqual, type CallFacts, type Config, type EntityManager, type Logger, type MikroORM, type Principal, type ServiceRegistry } from '@plinto/kernel';
import { authenticateOperatorSession, endOperatorSession, startOperatorSession } from '@plinto/tenants';
import { REALTIME_HUB } from '@plinto/realtime';
import { sendError } from './error-body';
import { browserCallFacts, cookieCsrf, CSRF_HEADER, isSameOrigin, readCookie } from './browser-session';

/**
 * Browser sign-in for platform operators. The console's operator form sends a platform key once
 * (`POST /platform/session/sign-in`); it is exchanged for a server-side session held by the
 * browser only as `plinto_op` — HttpOnly, SameSite=Strict, a sealed handle (session id + HMAC
 * keyed from the master key), never a bearer an API accepts elsewhere and never in web storage.
 *
 * The cookie counts only on calls that ask for it with `X-Plinto-Operator: 1` (the console sets it
 * in operator mode), so a tenant page the operator also has open keeps its own user session, and a
 * cross-site page cannot use it (a custom header needs a CORS preflight, which credentials never
 * pass). Changes also need the operator CSRF token (`X-CSRF-Token`) and a same-origin Origin.
 */
export const OperatorSessionErrors = defineErrors({
  OPERATOR_SIGN_IN_FAILED: { status: 401, message: 'That is not a live platform key' },
});

export const OPERATOR_COOKIE = 'plinto_op';
export const OPERATOR_HEADER = 'x-plinto-operator';
/** How long a console sign-in lasts; then the operator pastes the key again. */
export const OPERATOR_SESSION_HOURS = 8;

const mac = (config: Config, purpose: string, value: string): string =>
  createHmac('sha256', derivedKey(config, 'operator-session')).update(`${purpose}:${value}`).digest('base64url');

const seal = (config: Config, sessionId: string): string => `v1.${sessionId}.${mac(config, 'handle', sessionId)}`;

function openHandle(config: Config, handle: string): string | null {
  const [version, sessionId, sealed] = handle.split('.');
  if (version !== 'v1' || !sessionId || !sealed) return null;
  return safeEqual(sealed, mac(config, 'handle', sessionId)) ? sessionId : null;
}

const csrfTokenOf = (config: Config, handle: string): string => mac(config, 'csrf', handle);

/** Whether a call asks to act as the signed-in platform operator. */
export const wantsOperator = (req: Request): boolean => req.headers[OPERATOR_HEADER] === '1';

const handleOf = (req: Pick<Request, 'headers'>): string | null => readCookie(req, OPERATOR_COOKIE);

/** The operator principal of the request's cookie, or null (no cookie, bad seal, session over). */
export async function operatorPrincipalOf(req: Pick<Request, 'headers'>, config: Config, em: EntityManager): Promise<Principal | null> {
  const handle = handleOf(req);
  const sessionId = handle ? openHandle(config, handle) : null;
  if (!sessionId) return null;
  return (await authenticateOperatorSession(em, sessionId))?.principal ?? null;
}

/** The CSRF check of an operator-cookie state change: same origin and the operator's token. */
export function operatorCsrfFails(req: Request, config: Config): boolean {
  const handle = handleOf(req);
  const sent = req.headers[CSRF_HEADER];
  return !isSameOrigin(req) || !handle || typeof sent !== 'string' || !safeEqual(sent, csrfTokenOf(config, handle));
}

const cookieAttributes = (config: Config): string =>
  `Path=/; HttpOnly; SameSite=Strict${new URL(config.PUBLIC_URL).protocol === 'https:' ? '; Secure' : ''}`;

const signInInput = z.object({ key: z.string().min(1).max(200) });

/** `/platform/session`: who is signed in (and the CSRF token), sign in with a key, sign out. */
export function operatorSessionRoutes(deps: { orm: MikroORM; config: Config; logger: Logger; services?: ServiceRegistry }): Router {
  const { config } = deps;
  const router = Router();
  const step = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, _next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await handler(req, res);
    } catch (error) {
      if (isDependencyOutage(error)) return sendError(res, 'SERVICE_UNAVAILABLE');
      deps.logger.error({ err: error, requestId: req.id }, 'operator session step failed');
      sendError(res, 'INTERNAL');
    }
  };

  router.get('/', step(async (req, res) => {
    const handle = handleOf(req);
    const sessionId = handle ? openHandle(config, handle) : null;
    const live = sessionId ? await authenticateOperatorSession(deps.orm.em.fork(), sessionId) : null;
    if (!live || !handle) return sendError(res, 'UNAUTHENTICATED');
    const a = live.principal.attributes as { name: string; prefix: string };
    res.json({ operator: { keyId: live.principal.id, name: a.name, prefix: a.prefix }, expiresAt: live.expiresAt.toISOString(), csrfToken: csrfTokenOf(config, handle) });
  }));

  // Before there is a session: refused from another site (no login CSRF), JSON only.
  router.post('/sign-in', step(async (req, res) => {
    if (!isSameOrigin(req) || !req.is('application/json')) return sendError(res, 'CSRF_REJECTED');
    const parsed = signInInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      return sendError(res, 'VALIDATION_FAILED', { fields: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'key', message: i.message })) });
    }
    const started = await startOperatorSession(deps.orm.em.fork(), parsed.data.key, requestMeta(req), OPERATOR_SESSION_HOURS);
    if (!started) return sendError(res, 'OPERATOR_SIGN_IN_FAILED');
    const handle = seal(config, started.sessionId);
    res.append('Set-Cookie', `${OPERATOR_COOKIE}=${handle}; Max-Age=${OPERATOR_SESSION_HOURS * 3600}; ${cookieAttributes(config)}`);
    res.json({ status: 'signed_in', expiresAt: started.expiresAt.toISOString(), csrfToken: csrfTokenOf(config, handle) });
  }));

  router.post('/sign-out', step(async (req, res) => {
    if (operatorCsrfFails(req, config)) return sendError(res, 'CSRF_REJECTED');
    const sessionId = openHandle(config, handleOf(req)!);
    if (sessionId && (await endOperatorSession(deps.orm.em.fork(), sessionId, requestMeta(req)))) {
      if (deps.services?.has(REALTIME_HUB)) deps.services.get(REALTIME_HUB).endOperatorSession(sessionId);
    }
    res.append('Set-Cookie', `${OPERATOR_COOKIE}=; Max-Age=0; ${cookieAttributes(config)}`);
    res.json({ status: 'signed_out', redirectTo: '/admin/operator/sign-in' });
  }));
  return router;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The facts of a /trpc or /v1 call: as the signed-in platform operator when the call asks for it
 * (and sends no bearer, which always wins), else with the tenant's browser session cookie.
 */
export function consoleCallFacts(config: Config) {
  return (req: Request): CallFacts => {
    if (!wantsOperator(req) || req.headers.authorization) return browserCallFacts(req);
    return { ...callFacts(req), browserSession: (em) => operatorPrincipalOf(req, config, em) };
  };
}

/** CSRF for /trpc and /v1: the operator cookie's check on operator calls, the tenant cookie's otherwise. */
export function consoleCsrf(config: Config) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!wantsOperator(req) || req.headers.authorization) return cookieCsrf(req, res, next);
    if (SAFE_METHODS.has(req.method) || !handleOf(req)) return next();
    if (operatorCsrfFails(req, config)) return sendError(res, 'CSRF_REJECTED');
    next();
  };
}
