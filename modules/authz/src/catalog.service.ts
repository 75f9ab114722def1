import { requirePrincipal, type ServiceContext } from '@plinto/kernel';
import { engineOf } from './engine/engine';
import type { PermissionSpec } from './catalog';

/** The permission catalog (every Plinto permission and the lowest default role holding it); needs roles:read. */
export async function listPermissions(sc: ServiceContext): Promise<{ items: PermissionSpec[] }> {
  await sc.authz.require('roles:read');
  return { items: engineOf(sc).catalog };
}

/** The tenant's current policy version (edge caches poll it); needs policies:read. */
export async function policyVersion(sc: ServiceContext): Promise<{ version: number }> {
  await sc.authz.require('policies:read');
  return { version: (await engineOf(sc).snapshot(sc.tenant.id)).version };
}

/**
 * The Plinto permissions the caller holds tenant-wide (or in `organizationId`): what a console shows
 * as editable. Only a hint for the interface — every service still decides each call itself.
 */
export async function myPermissions(sc: ServiceContext, organizationId?: string): Promise<{ permissions: string[] }> {
  requirePrincipal(sc);
  const permissions: string[] = [];
  for (const { permission } of engineOf(sc).catalog) {
    if (await sc.authz.can(permission, { organizationId })) permissions.push(permission);
  }
  return { permissions };
}
