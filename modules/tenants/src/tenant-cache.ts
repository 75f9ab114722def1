import { isUuid, type EntityManager, type TenantRef } from '@plinto/kernel';
import { findTenantById, findTenantBySlug } from './tenant-lookup';

/**
 * Tenant lookups for the request path (every request resolves its tenant), cached per process and
 * database (one cache per ORM: tests run several apis in one process) for a short time. A change
 * made in this process (update, disable, enable) is seen at once (`forgetTenant`); one made by
 * another api process within TTL_MS.
 */
const TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  value: Promise<TenantRef | null>;
}

interface Cache {
  bySlug: Map<string, Entry>;
  byId: Map<string, Entry>;
}

const caches = new WeakMap<object, Cache>();

function cacheOf(em: EntityManager): Cache {
  let cache = caches.get(em.config);
  if (!cache) caches.set(em.config, (cache = { bySlug: new Map(), byId: new Map() }));
  return cache;
}

function cached(map: Map<string, Entry>, key: string, load: () => Promise<TenantRef | null>): Promise<TenantRef | null> {
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.at > now - TTL_MS) return hit.value;
  if (map.size >= MAX_ENTRIES) map.clear();
  const value = load();
  map.set(key, { at: now, value });
  // A miss is not remembered: a tenant created a moment later must be found at once.
  value.then((tenant) => tenant ?? map.delete(key), () => map.delete(key));
  return value;
}

export const cachedTenantBySlug = (em: EntityManager, slug: string) => cached(cacheOf(em).bySlug, slug, () => findTenantBySlug(em, slug));

export const cachedTenantById = (em: EntityManager, id: string) => cached(cacheOf(em).byId, id, () => findTenantById(em, id));

/** Drops the cached views of a tenant (after this process changed it); `undefined` = all of them. */
export function forgetTenant(em: EntityManager, id: string | undefined): void {
  const cache = cacheOf(em);
  if (id) cache.byId.delete(id);
  else cache.byId.clear();
  // Slug entries are few and cheap to reload: drop them all rather than search.
  cache.bySlug.clear();
}

/** The tenant id in an `idOrSlug` argument, when it is one. */
export const tenantIdHint = (idOrSlug: string): string | undefined => (isUuid(idOrSlug) ? idOrSlug : undefined);

const originCaches = new WeakMap<object, Map<string, { at: number; value: Promise<boolean> }>>();

/**
 * Whether any active tenant lists `origin` in its allowed origins: what a CORS preflight can know
 * (a browser's preflight carries no header values, so not the tenant the call will name). The
 * actual call is then checked against its own tenant's list. Cached as briefly as tenants.
 */
export function originAllowedByAnyTenant(em: EntityManager, origin: string): Promise<boolean> {
  let cache = originCaches.get(em.config);
  if (!cache) originCaches.set(em.config, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(origin);
  if (hit && hit.at > now - TTL_MS) return hit.value;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const value = em
    .execute<{ found: number }[]>(`select 1 as found from tenants where status = 'active' and settings -> 'allowedOrigins' @> to_jsonb(?::text) limit 1`, [origin])
    .then((rows) => rows.length > 0);
  cache.set(origin, { at: now, value });
  value.catch(() => cache.delete(origin));
  return value;
}
