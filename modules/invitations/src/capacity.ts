import type { EntityManager } from '@plinto/kernel';
import { countMembers, type OrgRef } from '@plinto/orgs';
import { InvitationErrors } from './errors';

/**
 * Serialises invitation creation within one organization (a transaction-scoped advisory lock), so
 * the member-limit count and the one-pending-invitation-per-address check cannot both pass for
 * two concurrent requests. Other organizations, and every other request, never wait on it.
 */
export async function lockOrganizationInvites(tx: EntityManager, organizationId: string): Promise<void> {
  await tx.execute(`select pg_advisory_xact_lock(hashtext('plinto.invitations:' || ?))`, [organizationId]);
}

export async function pendingCount(em: EntityManager, organizationId: string): Promise<number> {
  const rows: { n: number }[] = await em.execute(
    `select count(*)::int as n from invitations where organization_id = ? and status = 'pending' and expires_at > now()`,
    [organizationId],
  );
  return rows[0]?.n ?? 0;
}

/** Members plus live invitations may not exceed the organization's member limit. */
export async function assertWithinMemberLimit(tx: EntityManager, org: OrgRef, adding: number): Promise<void> {
  const limit = org.settings.memberLimit;
  if (limit === undefined || limit === null || adding === 0) return;
  const [members, pending] = [await countMembers(tx, org.id), await pendingCount(tx, org.id)];
  if (members + pending + adding > limit) {
    throw InvitationErrors.INVITATION_MEMBER_LIMIT({ details: { memberLimit: limit, members, pending, requested: adding } });
  }
}
