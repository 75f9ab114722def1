import type { ServiceContext } from '@plinto/kernel';
import { findOrganization } from '@plinto/orgs';
import { InvitationErrors } from './errors';
import { findLiveInvitation } from './accept.service';
import type { InvitationPreviewDto } from './invitation.schemas';

/**
 * What an accept page shows for a live invitation. An unknown, used, revoked or expired token (or
 * one whose organization is gone) all get the same INVITATION_INVALID: nothing tells a guesser,
 * or the holder of an old link, which of these it was.
 */
export async function validateInvitation(sc: ServiceContext, token: string): Promise<InvitationPreviewDto> {
  const { em } = sc;
  const tenantId = sc.tenant.id;
  const row = await findLiveInvitation(em, tenantId, token);
  const org = await findOrganization(em, tenantId, row.organizationId);
  if (!org) throw InvitationErrors.INVITATION_INVALID();
  return {
    valid: true,
    email: row.email,
    organization: { id: org.id, name: org.name, slug: org.slug },
    inviter: { name: row.invitedByName ?? null },
    role: row.role,
    teamIds: row.teamIds,
    message: row.message ?? null,
    expiresAt: row.expiresAt.toISOString(),
  };
}
