import type { EntityManager, ServiceRegistry } from '@plinto/kernel';
import { tokenServicesOf, type Revoke } from '../tokens/services';
import { activeApplication, type ApplicationRow } from './applications.service';

/**
 * Applications this process read lately, so authorize and token requests need no database read
 * for their client. A remembered row is used only after the revocation list (the mechanism, and
 * the propagation — AUTH_REVOCATION_CACHE_MS — that stops access tokens) says neither the client
 * (`client:<client_id>`, written by revokeApplication) nor this version of the row
 * (`application:<client_id>@<updated_at>`, written by every change: settings, secret rotation,
 * revocation) was revoked: a change made through any api process is seen by every other within
 * that propagation, not after a TTL. A secret that does not match the remembered one goes to the
 * database (a secret rotated a moment ago works at once); unknown or revoked clients are never
 * remembered.
 */
const CACHE_MS = 30_000;
const MAX_ENTRIES = 10_000;
const remembered = new Map<string, { row: ApplicationRow; until: number }>();
const keyOf = (tenantId: string, clientId: string) => `${tenantId}\u0000${clientId}`;

/** The revocation key that retires one version of an application row from every process's cache. */
export const applicationVersionKey = (row: { clientId: string; updatedAt: Date }) => `application:${row.clientId}@${row.updatedAt.getTime()}`;

/** To call, in the changing transaction, before an application row changes (its `updatedAt` still the old one). */
export async function retireApplicationVersion(revoke: Revoke, row: { clientId: string; tenantId: string; updatedAt: Date }): Promise<void> {
  remembered.delete(keyOf(row.tenantId, row.clientId));
  // Only caches hold the old version, and not longer than CACHE_MS.
  await revoke([{ key: applicationVersionKey(row), tenantId: row.tenantId, expiresAt: new Date(Date.now() + CACHE_MS + 60_000) }]);
}

/**
 * activeApplication for the protocol's hot path (authorize, token endpoint): from this process's
 * memory when remembered and still current, else from the database (and then remembered).
 */
export async function liveApplication(deps: { em: EntityManager; services: ServiceRegistry }, tenantId: string, clientId: string, options: { fromDatabase?: boolean } = {}): Promise<ApplicationRow | null> {
  const key = keyOf(tenantId, clientId);
  const hit = options.fromDatabase ? undefined : remembered.get(key);
  const now = Date.now();
  if (hit && hit.until > now) {
    if (!(await tokenServicesOf(deps).revocations.isRevoked([`client:${clientId}`, applicationVersionKey(hit.row)]))) return hit.row;
    remembered.delete(key);
  }
  const row = await activeApplication(deps.em, tenantId, clientId);
  if (row) {
    if (remembered.size >= MAX_ENTRIES) remembered.clear();
    remembered.set(key, { row, until: now + CACHE_MS });
  } else {
    remembered.delete(key);
  }
  return row;
}
