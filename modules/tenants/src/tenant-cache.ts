import type { EntityManager, TenantRef } from '@plinto/kernel';
import { isUuid } from '@plinto/kernel';
import { findTenantById, findTenantBySlug } from './tenant-lookup';

/**
 * Tenant lookups for the request path (every request resolves its tenant), cached per process for
 * a short time. A change made in this process (update, disable, enable) is seen at once
 * (`forgetTenant`); one made by another api process within TTL_MS.
 */
const TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  value: Promise<TenantRef | null>;
}

const bySlug = new Map<string, Entry>();
const byId = new Map<string, Entry>();

function cached(map: Map<string, Entry>, key: string, load: () => Promise<TenantRef | null>): Promise<TenantRef | null> {
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.at > now - TTL_MS) return hit.value;
  if (map.size >= MAX_ENTRIES) map.clear();
  const value = load();
  map.set(key, { at: now, value });
  value.catch(() => map.delete(key));
  return value;
}

export const cachedTenantBySlug = (em: EntityManager, slug: string) => cached(bySlug, slug, () => findTenantBySlug(em, slug));

export const cachedTenantById = (em: EntityManager, id: string) => cached(byId, id, () => findTenantById(em, id));

/** Drops the cached views of a tenant (after this process changed it); `undefined` = all of them. */
export function forgetTenant(id: string | undefined): void {
  if (id) byId.delete(id);
  else byId.clear();
  // Slug entries are few and cheap to reload: drop them all rather than search.
  bySlug.clear();
}

/** The tenant id in an `idOrSlug` argument, when it is one. */
export const tenantIdHint = (idOrSlug: string): string | undefined => (isUuid(idOrSlug) ? idOrSlug : undefined);
