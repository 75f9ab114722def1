/** @plinto/invitations — invitations to organizations: create (one or bulk), email, resend, revoke, validate, accept, expire. */
import { SYSTEM_ACTOR, defineModule, type MaintenanceTask, type ModuleSchema } from '@plinto/kernel';
import { Invitation } from './entities/invitation.entity';
import { invitationMigrations } from './migrations';
import { invitationConfigSchema } from './config';
import { InvitationEvents } from './events';
import { invitationsRouter } from './router';
import { createInvitation } from './create.service';
import { bulkCreateInvitations } from './bulk.service';
import { getInvitation, listInvitations, resendInvitation, revokeInvitation, updateInvitation } from './manage.service';
import { acceptInvitation } from './accept.service';
import { validateInvitation } from './validate.service';
import { cleanupInvitations, expireInvitations } from './expire.service';

export { invitationsRouter } from './router';
export { invitationConfig, invitationConfigSchema, type InvitationConfig } from './config';
export { InvitationErrors } from './errors';
export { InvitationEvents } from './events';
export { expireInvitations, markExpired } from './expire.service';
export { acceptLink, hashInvitationToken } from './links';
export { acceptInvitation } from './accept.service';
export { Invitation, INVITATION_STATUSES, type InvitationStatus } from './entities/invitation.entity';
export type { InvitationDto, InvitationWithLinkDto, AcceptedInvitationDto, InvitationPreviewDto } from './invitation.schemas';

export const invitationsSchema: ModuleSchema = {
  entities: [Invitation],
  migrations: invitationMigrations,
};

/** Pending invitations past their expiry are marked expired (with their events) every five minutes (readers already treat them as expired; the sweep makes the stored status, and webhooks, agree). */
const expireTask: MaintenanceTask = {
  name: 'invitations.expire',
  everyMs: 5 * 60 * 1000,
  run: ({ orm }) => expireInvitations(orm.em.fork(), SYSTEM_ACTOR),
};

export const invitationsModule = defineModule({
  name: 'invitations',
  routers: { invitations: invitationsRouter },
  schema: invitationsSchema,
  events: [InvitationEvents],
  config: invitationConfigSchema,
  services: { createInvitation, bulkCreateInvitations, listInvitations, getInvitation, updateInvitation, resendInvitation, revokeInvitation, acceptInvitation, validateInvitation, cleanupInvitations },
  maintenance: [expireTask],
});
