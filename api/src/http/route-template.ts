import type { Request } from 'express';

const FIXED = new Set(['/health', '/ready', '/metrics', '/openapi.json', '/docs', '/docs/', '/docs/init.js', '/v1/audit-logs/export']);

/**
 * The route template of a request, for logs, metrics and span names: never the raw URL, whose
 * query string may carry a token and whose path carries ids. REST routes get theirs from the
 * procedure's OpenAPI path (noted while the request ran); tRPC routes are their procedure names.
 */
export function routeTemplate(req: Request, noted: string | undefined): string {
  if (noted) return noted;
  const path = (req.originalUrl.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
  if (FIXED.has(path)) return path;
  if (path.startsWith('/trpc/')) return `/trpc/${path.slice(6).split(',').filter((p) => /^[A-Za-z0-9_.]+$/.test(p)).join(',')}`;
  if (path.startsWith('/docs/assets/')) return '/docs/assets/*';
  const tenantRoute = /^\/t\/[^/]+(\/.*)$/.exec(path);
  if (tenantRoute && /^\/(\.well-known\/[a-z-]+(\.json)?|oauth\/(token|introspect|revoke))$/.test(tenantRoute[1]!)) return `/t/{tenant}${tenantRoute[1]}`;
  return path.startsWith('/v1/') ? '/v1/(unmatched)' : '(unmatched)';
}
