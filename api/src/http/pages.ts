import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import type { Config, EntityManager, MikroORM, TenantRef } from '@plinto/kernel';
import { brandingOf, logoCspSource, type PublicBranding } from '@plinto/tenants';
import { sendError } from './error-body';

/**
 * The hosted pages: one React app (web/pages, built by Vite into web/pages/dist) served per tenant
 * under /t/{tenant}/{page}. Each response carries a fresh CSP nonce (scripts and Mantine's style
 * tags must carry it), forbids framing (`frame-ancestors 'none'`, X-Frame-Options DENY) and is
 * never cached; the assets under /_pages/ are immutable (hashed names).
 */
export const PAGES = ['sign-in', 'sign-up', 'mfa', 'forgot-password', 'reset-password', 'verify-email', 'magic-link', 'accept-invitation', 'consent', 'account', 'signed-out', 'error', 'confirm-email', 'end-session'] as const;

/** Where the built app is: PAGES_DIST_DIR, else web/pages/dist of the source tree or next to the bundle. */
export function pagesDistDir(config: Pick<Config, 'PAGES_DIST_DIR'>): string {
  if (config.PAGES_DIST_DIR) return resolve(config.PAGES_DIST_DIR);
  const candidates = [
    fileURLToPath(new URL('../../../web/pages/dist', import.meta.url)), // api/src/http/pages.ts
    fileURLToPath(new URL('../../web/pages/dist', import.meta.url)), // api/dist/main.js
    resolve('web/pages/dist'),
  ];
  return candidates.find((dir) => existsSync(resolve(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * The page's Content-Security-Policy: scripts and styles only from us or with this nonce; images
 * from us, and from elsewhere only the tenant's logo, exactly (`logo`: its origin and path).
 */
export const pageCsp = (nonce: string, logo: string | null = null): string =>
  [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    // Mantine sets a few style attributes (positions, sizes); they cannot run code.
    "style-src-attr 'unsafe-inline'",
    `img-src 'self' data:${logo ? ` ${logo}` : ''}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What a page is told besides the tenant: which page to show (when not the URL's) and an error's code. */
export interface PageFacts {
  page?: string;
  errorCode?: string;
}

/**
 * The built index.html with the nonce on every script/style/link tag and the page's facts as meta
 * tags: the tenant's branding (support address included, read from `plinto-branding`) travels with the page, so it paints
 * branded without a request.
 */
function renderIndex(template: string, nonce: string, branding: PublicBranding, facts: PageFacts = {}): string {
  const metas: Record<string, string | undefined> = {
    'plinto-nonce': nonce,
    'plinto-tenant-name': branding.name,
    'plinto-branding': JSON.stringify(branding),
    'plinto-page': facts.page,
    'plinto-error-code': facts.errorCode,
  };
  const meta = Object.entries(metas)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<meta name="${name}" content="${escapeHtml(value!)}" />`)
    .join('');
  return template
    .replace(/<(script|style|link)\b/g, `<$1 nonce="${nonce}"`)
    .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(branding.name)}</title>`)
    .replace('</head>', `${meta}</head>`);
}

const templates = new Map<string, string>();
/** The built index.html (read once; development rebuilds are picked up on restart); missing until `pnpm build`. */
function indexHtml(config: Pick<Config, 'PAGES_DIST_DIR'>): string | undefined {
  const dist = pagesDistDir(config);
  if (!templates.has(dist) && existsSync(resolve(dist, 'index.html'))) templates.set(dist, readFileSync(resolve(dist, 'index.html'), 'utf8'));
  return templates.get(dist);
}

/** Answers with the hosted pages app in the tenant's branding (its CSP nonce, no framing, no caching); `facts` pick the page. */
export function sendPage(res: Response, config: Pick<Config, 'PAGES_DIST_DIR'>, tenant: TenantRef, status = 200, facts: PageFacts = {}): void {
  const html = indexHtml(config);
  if (!html) return sendError(res, 'SERVICE_UNAVAILABLE', { message: 'The hosted pages are not built: run `pnpm build` (or `npm start`, which builds them)' });
  const nonce = randomBytes(16).toString('base64');
  const branding = brandingOf(tenant);
  setPageSecurityHeaders(res, nonce, logoCspSource(branding.logoUrl));
  res.status(status).type('html').send(renderIndex(html, nonce, branding, facts));
}

/** A browser navigating (it asks for HTML first) rather than an API caller (JSON, or anything). */
export const wantsHtml = (req: Request): boolean => req.accepts(['json', 'html']) === 'html';

export function setPageSecurityHeaders(res: Response, nonce: string, logo: string | null = null): void {
  res.setHeader('Content-Security-Policy', pageCsp(nonce, logo));
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  // Links carry tokens in their query: never leak them to another site.
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function pagesRouter(deps: { orm: MikroORM; config: Config; findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null> }): Router {
  const router = Router();
  const dist = pagesDistDir(deps.config);

  router.use('/_pages', express.static(dist, { index: false, immutable: true, maxAge: '365d', fallthrough: true }));

  const redirect = (to: string) => (_req: Request, res: Response) => res.redirect(302, to);
  router.get('/', redirect('/t/default/account'));
  router.get('/login', redirect('/t/default/sign-in'));
  router.get('/account', redirect('/t/default/account'));
  router.get('/t/:tenant', (req, res) => res.redirect(302, `/t/${encodeURIComponent(String(req.params.tenant))}/sign-in`));

  router.get(`/t/:tenant/:page`, async (req, res, next) => {
    const page = String(req.params.page);
    if (!(PAGES as readonly string[]).includes(page)) return next();
    const tenant = await deps.findTenantBySlug(deps.orm.em.fork(), String(req.params.tenant).toLowerCase());
    if (!tenant || tenant.status !== 'active') return sendError(res, 'TENANT_NOT_FOUND');
    sendPage(res, deps.config, tenant);
  });
  return router;
}
