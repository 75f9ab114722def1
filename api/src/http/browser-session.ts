import { createHmac } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { callFacts, defineErrors, derivedKey, safeEqual, type CallFacts, type Config, type EntityManager, type MikroORM, type Principal, type TenantRef } from '@plinto/kernel';
import { authConfig, authenticateBrowserSession } from '@plinto/auth';
import { sendError } from './error-body';

/**
 * The browser session of the hosted pages and the console: an HttpOnly, SameSite=Lax cookie per
 * tenant (`plinto_s_{tenant}`) holding a sealed handle — the server-side session's id and an HMAC
 * of it (keyed from the master key, bound to the tenant). The handle is not a bearer token an API
 * accepts elsewhere, JavaScript cannot read it, and it is only as good as its session: every use
 * checks that the session is live (not revoked, not expired, its user not disabled), so sign-out
 * and "revoke" end it at once.
 *
 * State changes made with the cookie need a CSRF token (`X-CSRF-Token`, an HMAC of the handle that
 * GET /t/{tenant}/session hands the page) and a same-origin Origin: a cross-site form cannot set
 * the header, a cross-site script cannot read the token.
 */
export interface BrowserSession {
  userId: string;
  sessionId: string;
  tenantId: string;
  /** When the person authenticated (the session's start). */
  authTime: Date;
  amr: string[];
}

export interface BrowserSessionDeps {
  orm: MikroORM;
  config: Config;
  findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null>;
}

export const BrowserSessionErrors = defineErrors({
  CSRF_REJECTED: { status: 403, message: 'The request did not prove it comes from this site (CSRF token or origin missing or wrong)' },
});

const COOKIE_PREFIX = 'plinto_s_';
export const CSRF_HEADER = 'x-csrf-token';
export const browserSessionCookieName = (tenantSlug: string): string => `${COOKIE_PREFIX}${tenantSlug}`;

/** Called once by createApp: the functions below find their dependencies on `req.app`. */
export function installBrowserSessions(app: Express, deps: BrowserSessionDeps): void {
  app.locals.browserSessions = deps;
}

const depsOf = (req: Request): BrowserSessionDeps => {
  const deps = req.app.locals.browserSessions as BrowserSessionDeps | undefined;
  if (!deps) throw new Error('installBrowserSessions(app, …) was not called');
  return deps;
};

const mac = (config: Config, purpose: string, value: string): string =>
  createHmac('sha256', derivedKey(config, 'browser-session')).update(`${purpose}:${value}`).digest('base64url');

/** The sealed handle of a session: `v1.{sessionId}.{hmac(tenantId, sessionId)}`. */
const sealHandle = (config: Config, tenantId: string, sessionId: string): string => `v1.${sessionId}.${mac(config, 'handle', `${tenantId}.${sessionId}`)}`;

/** The session id a handle names, when its seal is right for this tenant; null otherwise. */
function openHandle(config: Config, tenantId: string, handle: string): string | null {
  const [version, sessionId, seal] = handle.split('.');
  if (version !== 'v1' || !sessionId || !seal) return null;
  return safeEqual(seal, mac(config, 'handle', `${tenantId}.${sessionId}`)) ? sessionId : null;
}

/** The CSRF token that goes with a handle (the page gets it from GET /t/{tenant}/session). */
const csrfTokenOfHandle = (config: Config, handle: string): string => mac(config, 'csrf', handle);

/** A cookie's value from the Cookie header (no dependency: one name, one split). */
export function readCookie(req: Pick<Request, 'headers'>, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

const handleOf = (req: Request, tenantSlug: string): string | null => readCookie(req, browserSessionCookieName(tenantSlug));

/** The principal of a handle, or null (wrong seal, another tenant's, session over). */
async function principalOfHandle(deps: BrowserSessionDeps, em: EntityManager, tenantSlug: string, handle: string): Promise<Principal | null> {
  const tenant = await deps.findTenantBySlug(em, tenantSlug);
  if (!tenant || tenant.status !== 'active') return null;
  const sessionId = openHandle(deps.config, tenant.id, handle);
  if (!sessionId) return null;
  return authenticateBrowserSession(em, tenant.id, sessionId);
}

/**
 * The lazy principal of the request's session cookie for `tenantSlug` (null without one), with
 * explicit dependencies: for transports without an Express request (the /ws upgrade).
 */
export function browserSessionPrincipal(deps: BrowserSessionDeps, req: Pick<Request, 'headers'>, tenantSlug: string): ((em: EntityManager) => Promise<Principal | null>) | null {
  const handle = readCookie(req, browserSessionCookieName(tenantSlug));
  return handle ? (em) => principalOfHandle(deps, em, tenantSlug, handle) : null;
}

/** The session id this request's cookie for `tenant` names, when its seal is right (whether the session is live is not checked). */
export function browserSessionIdOf(req: Request, tenant: { id: string; slug: string }): string | null {
  const handle = handleOf(req, tenant.slug);
  return handle ? openHandle(depsOf(req).config, tenant.id, handle) : null;
}

/** The live browser session of `tenantSlug` this request carries, or null. */
export async function browserSessionOf(req: Request, tenantSlug: string): Promise<BrowserSession | null> {
  const handle = handleOf(req, tenantSlug);
  if (!handle) return null;
  const deps = depsOf(req);
  const principal = await principalOfHandle(deps, deps.orm.em.fork(), tenantSlug, handle);
  if (!principal?.tenantId) return null;
  const a = principal.attributes as { sessionId: string; amr: string[]; authTime: Date };
  return { userId: principal.id, sessionId: a.sessionId, tenantId: principal.tenantId, authTime: a.authTime, amr: a.amr };
}

/**
 * A call's facts with its browser session: used by /trpc and /v1, and by the page routes. The
 * cookie counts only when no bearer is sent; which cookie is the tenant's the call names.
 */
export function browserCallFacts(req: Request, tenantSlug?: string): CallFacts {
  const facts = callFacts(req);
  if (tenantSlug) facts.tenantSlug = tenantSlug;
  if (facts.bearer) return facts;
  const slug = facts.tenantSlug ?? 'default';
  const handle = handleOf(req, slug);
  if (handle) facts.browserSession = (em) => principalOfHandle(depsOf(req), em, slug, handle);
  return facts;
}

const cookieAttributes = (config: Config): string =>
  `Path=/; HttpOnly; SameSite=Lax${new URL(config.PUBLIC_URL).protocol === 'https:' ? '; Secure' : ''}`;

/** Sets the session cookie after a sign-in; returns the CSRF token that goes with it. */
export function setBrowserSession(res: Response, session: { tenantId: string; tenantSlug: string; sessionId: string }): string {
  const { config } = depsOf(res.req);
  const handle = sealHandle(config, session.tenantId, session.sessionId);
  const maxAge = authConfig(config).AUTH_SESSION_TTL_HOURS * 3600;
  res.append('Set-Cookie', `${browserSessionCookieName(session.tenantSlug)}=${handle}; Max-Age=${maxAge}; ${cookieAttributes(config)}`);
  return csrfTokenOfHandle(config, handle);
}

export function clearBrowserSession(res: Response, tenantSlug: string): void {
  const { config } = depsOf(res.req);
  res.append('Set-Cookie', `${browserSessionCookieName(tenantSlug)}=; Max-Age=0; ${cookieAttributes(config)}`);
}

/** The CSRF token for the session cookie this request carries (null without one). */
export function csrfTokenOf(req: Request, tenantSlug: string): string | null {
  const handle = handleOf(req, tenantSlug);
  return handle ? csrfTokenOfHandle(depsOf(req).config, handle) : null;
}

/**
 * The request comes from our own pages: a browser's Origin (sent on every cross-origin request and
 * every same-origin POST) is PUBLIC_URL's, and Sec-Fetch-Site does not say cross-site. Clients
 * that are not browsers send neither.
 */
export function isSameOrigin(req: Request): boolean {
  return comesFromOrigin(req, new URL(depsOf(req).config.PUBLIC_URL).origin);
}

/** `isSameOrigin` for a request without the app at hand (the /ws upgrade): `origin` is PUBLIC_URL's. */
export function comesFromOrigin(req: Pick<Request, 'headers'>, origin: string): boolean {
  const sent = req.headers.origin;
  if (sent && sent !== origin) return false;
  const site = req.headers['sec-fetch-site'];
  return site !== 'cross-site' && site !== 'same-site';
}

const tenantSlugOf = (req: Request): string => {
  const named = req.params?.tenant ?? req.headers['x-plinto-tenant'];
  return (Array.isArray(named) ? named[0] : named)?.trim().toLowerCase() || 'default';
};

/** The CSRF check of a cookie-authenticated state change: same origin and the right token. */
function csrfFails(req: Request, tenantSlug: string): boolean {
  const expected = csrfTokenOf(req, tenantSlug);
  const sent = req.headers[CSRF_HEADER];
  return !isSameOrigin(req) || !expected || typeof sent !== 'string' || !safeEqual(sent, expected);
}

/** Express middleware: refuses (403 CSRF_REJECTED) a state change without proof it comes from our pages. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (csrfFails(req, tenantSlugOf(req))) return sendError(res, 'CSRF_REJECTED');
  next();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * For /trpc and /v1: a non-GET call that would be authenticated by the session cookie (no bearer
 * sent, the named tenant's cookie present) must pass the CSRF check. Bearer calls are not
 * affected: a browser never attaches a bearer by itself.
 */
export function cookieCsrf(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || req.headers.authorization) return next();
  const slug = tenantSlugOf(req);
  if (!handleOf(req, slug)) return next();
  if (csrfFails(req, slug)) return sendError(res, 'CSRF_REJECTED');
  next();
}
