import type { NextFunction, Request, Response } from 'express';
import { tenantSection, browserTenantSettings, type Config, type EntityManager, type MikroORM, type TenantRef } from '@plinto/kernel';
import { originAllowedByAnyTenant } from '@plinto/tenants';
import { applicationAllowsOrigin } from '@plinto/auth';

/**
 * CORS for the API (/trpc, /v1): a browser script from another origin may call it — with a bearer
 * token, never with cookies (no Access-Control-Allow-Credentials) — when the tenant lists that
 * origin in its `allowedOrigins` setting. A preflight (which carries no header values, so not the
 * tenant) is answered 204 with CORS headers when some active tenant allows the origin, 204 without
 * them otherwise (the browser then stops); the actual call gets them only when the tenant it names
 * (X-Plinto-Tenant, else `default`) allows the origin. Same-origin calls need nothing.
 *
 * Other policies (the OIDC provider's per-client origins) join through `addOriginPolicy`.
 */
export interface OriginQuestion {
  origin: string;
  /** The tenant the call names; null for a preflight on a tenant-less path. */
  tenant: TenantRef | null;
  /** The tenant slug in the path (/t/{tenant}/...), when the route has one. */
  tenantSlug: string | null;
  preflight: boolean;
  em: EntityManager;
}

export type OriginPolicy = (question: OriginQuestion) => Promise<boolean> | boolean;

const policies: OriginPolicy[] = [];

/** Lets another part of the api (e.g. OIDC clients' allowed origins) allow origins too. */
export function addOriginPolicy(policy: OriginPolicy): void {
  policies.push(policy);
}

/** The tenant's own list (kernel tenant setting `allowedOrigins`). */
export const tenantAllowsOrigin = (tenant: TenantRef, origin: string): boolean => (tenantSection(tenant, browserTenantSettings).allowedOrigins ?? []).includes(origin);

// The tenant's applications' allowed origins (OIDC clients: SPAs calling the token endpoint and the
// API): one prepared lookup per cross-origin call, not cached — an application registered a moment ago
// must work.
addOriginPolicy(async ({ origin, tenant, tenantSlug, preflight, em }) => {
  if (tenant) return applicationAllowsOrigin(em, origin, tenant.id);
  return preflight && !tenantSlug && applicationAllowsOrigin(em, origin, null);
});

const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-plinto-tenant', 'trpc-accept', 'x-request-id', 'idempotency-key'];
const EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id', 'Location'];

export function cors(deps: { orm: MikroORM; config: Config; findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null> }) {
  const allowed = async (req: Request, origin: string, preflight: boolean): Promise<boolean> => {
    const em = deps.orm.em.fork();
    const pathSlug = typeof req.params?.tenant === 'string' ? req.params.tenant.toLowerCase() : null;
    const headerSlug = req.headers['x-plinto-tenant'];
    const slug = pathSlug ?? (typeof headerSlug === 'string' ? headerSlug.trim().toLowerCase() : null) ?? (preflight ? null : 'default');
    const tenant = slug ? await deps.findTenantBySlug(em, slug) : null;
    const active = tenant?.status === 'active' ? tenant : null;
    if (active && tenantAllowsOrigin(active, origin)) return true;
    if (preflight && !slug && (await originAllowedByAnyTenant(em, origin))) return true;
    for (const policy of policies) if (await policy({ origin, tenant: active, tenantSlug: pathSlug, preflight, em })) return true;
    return false;
  };

  // Same-origin calls (and calls with no Origin, e.g. from a backend) need no CORS work at all.
  const ownOrigin = new URL(deps.config.PUBLIC_URL).origin;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const origin = req.headers.origin;
    if (!origin || origin === ownOrigin) return next();
    res.append('Vary', 'Origin');
    const preflight = req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
    try {
      if (preflight) {
        if (await allowed(req, origin, true)) {
          res.setHeader('Access-Control-Allow-Origin', origin);
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
          res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(', '));
          res.setHeader('Access-Control-Max-Age', '600');
        }
        res.status(204).end();
        return;
      }
      if (await allowed(req, origin, false)) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
