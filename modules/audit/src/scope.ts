import { CommonErrors, requirePrincipal, type ServiceContext } from '@plinto/kernel';

/**
 * Which events a caller may see (the "views"):
 * - a tenant admin (or a platform operator naming the tenant): every event of the tenant;
 * - an organization admin: the events of that organization;
 * - any signed-in user: their own events (done by them, or done to them).
 * Decided by the authorization engine (`audit:read`, tenant-wide or in the organization's domain),
 * never by role names here. Nobody sees another tenant's events: every query is scoped by tenant.
 */
export type AuditScope =
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'organization'; tenantId: string; organizationId: string }
  | { kind: 'self'; tenantId: string; principalId: string };

export async function resolveScope(sc: ServiceContext, organizationId?: string, permission = 'audit:read'): Promise<AuditScope> {
  const principal = requirePrincipal(sc);
  const tenantId = sc.tenant.id;
  if (await sc.authz.can(permission)) return { kind: 'tenant', tenantId };
  if (organizationId && (await sc.authz.can(permission, { organizationId }))) return { kind: 'organization', tenantId, organizationId };
  if (principal.kind === 'user') return { kind: 'self', tenantId, principalId: principal.id };
  throw CommonErrors.FORBIDDEN({ details: { permission } });
}
