import { CommonErrors, type Context } from '@plinto/kernel';

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

export async function resolveScope(ctx: Context, organizationId?: string, permission = 'audit:read'): Promise<AuditScope> {
  const principal = await ctx.getPrincipal();
  if (!principal) throw CommonErrors.UNAUTHENTICATED();
  const tenant = await ctx.resolveTenant();
  if ((await ctx.authorize({ principal, tenant, permission })).allow) return { kind: 'tenant', tenantId: tenant.id };
  if (organizationId && (await ctx.authorize({ principal, tenant, permission, organizationId })).allow) {
    return { kind: 'organization', tenantId: tenant.id, organizationId };
  }
  if (principal.kind === 'user') return { kind: 'self', tenantId: tenant.id, principalId: principal.id };
  throw CommonErrors.FORBIDDEN({ details: { permission } });
}
