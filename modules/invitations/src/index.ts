/** @plinto/invitations — invitations to organizations: create (one or bulk), email, resend, revoke, validate, accept, expire. */
import type { ModuleSchema } from '@plinto/kernel';
import { Invitation } from './entities/invitation.entity';
import { invitationMigrations } from './migrations';
import './events';

export { invitationsRouter } from './router';
export { invitationConfig, invitationConfigSchema, type InvitationConfig } from './config';
export { InvitationErrors } from './errors';
export { expireInvitations, markExpired } from './expire.service';
export { acceptLink, hashInvitationToken } from './links';
export { Invitation, INVITATION_STATUSES, type InvitationStatus } from './entities/invitation.entity';
export type { InvitationDto, InvitationWithLinkDto, AcceptedInvitationDto, InvitationPreviewDto } from './invitation.schemas';

export const invitationsSchema: ModuleSchema = {
  entities: [Invitation],
  migrations: invitationMigrations,
};
