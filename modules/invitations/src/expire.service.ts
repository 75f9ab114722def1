import { recordEvent, type Actor, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { findOrganization, OrgsErrors } from '@plinto/orgs';
import { eventRef, invitationTarget } from './dto';
import { InvitationEvents } from './events';

interface ExpiredRow {
  id: string;
  tenant_id: string;
  organization_id: string;
  email: string;
  role: string;
  expires_at: Date | string;
}

export interface ExpireScope {
  tenantId?: string;
  organizationId?: string;
}

/**
 * Marks up to `limit` pending invitations past their expiry as expired, in `tx`'s transaction,
 * with an audit + outbox event each. Rows another transaction holds are skipped (SKIP LOCKED):
 * they are being accepted, resent or changed right now and are looked at again next time.
 */
export async function markExpired(tx: EntityManager, actor: Actor, scope: ExpireScope, limit = 1000): Promise<number> {
  const where = ['status = ?', 'expires_at <= now()'];
  const params: unknown[] = ['pending'];
  if (scope.tenantId) {
    where.push('tenant_id = ?');
    params.push(scope.tenantId);
  }
  if (scope.organizationId) {
    where.push('organization_id = ?');
    params.push(scope.organizationId);
  }
  const rows: ExpiredRow[] = await tx.execute(
    `update invitations set status = 'expired', updated_at = now()
      where id in (select id from invitations where ${where.join(' and ')} order by expires_at limit ? for update skip locked)
      returning id, tenant_id, organization_id, email, role, expires_at`,
    [...params, limit],
  );
  for (const row of rows) {
    recordEvent(tx, actor, InvitationEvents.of('invitation.expired', {
      tenantId: row.tenant_id,
      organizationId: row.organization_id,
      target: invitationTarget(row.id),
      data: { ...eventRef(row), expiresAt: new Date(row.expires_at).toISOString() },
    }));
  }
  if (rows.length > 0) await tx.flush();
  return rows.length;
}

/**
 * The expiry sweep (the maintenance job, and `POST /v1/invitations/cleanup` for one tenant or
 * organization): batches of `batchSize`, each in its own short transaction, until none are left.
 */
export async function expireInvitations(em: EntityManager, actor: Actor, scope: ExpireScope = {}, batchSize = 1000): Promise<{ expired: number }> {
  let expired = 0;
  for (;;) {
    const n = await em.transactional((tx) => markExpired(tx, actor, scope, batchSize));
    expired += n;
    if (n < batchSize) return { expired };
  }
}

/** The expiry sweep on demand: the tenant's (invitations:write tenant-wide) or one organization's (there). */
export async function cleanupInvitations(sc: ServiceContext, input: { organizationId?: string }): Promise<{ expired: number }> {
  await sc.authz.require('invitations:write', { organizationId: input.organizationId });
  // An organization of another tenant (or none) is the same 404 as everywhere else, not an empty sweep.
  if (input.organizationId && !(await findOrganization(sc.em, sc.tenant.id, input.organizationId))) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
  return expireInvitations(sc.em, sc.actor, { tenantId: sc.tenant.id, organizationId: input.organizationId });
}
