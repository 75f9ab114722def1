import { router } from '@plinto/kernel';
import { createInvitationProcedure } from './procedures/create-invitation';
import { bulkCreateInvitationsProcedure } from './procedures/bulk-create-invitations';
import { listInvitationsProcedure } from './procedures/list-invitations';
import { getInvitationProcedure } from './procedures/get-invitation';
import { updateInvitationProcedure } from './procedures/update-invitation';
import { resendInvitationProcedure } from './procedures/resend-invitation';
import { revokeInvitationProcedure } from './procedures/revoke-invitation';
import { acceptInvitationProcedure } from './procedures/accept-invitation';
import { validateInvitationProcedure } from './procedures/validate-invitation';
import { cleanupInvitationsProcedure } from './procedures/cleanup-invitations';

export const invitationsRouter = router({
  create: createInvitationProcedure,
  bulkCreate: bulkCreateInvitationsProcedure,
  list: listInvitationsProcedure,
  get: getInvitationProcedure,
  update: updateInvitationProcedure,
  resend: resendInvitationProcedure,
  revoke: revokeInvitationProcedure,
  accept: acceptInvitationProcedure,
  validate: validateInvitationProcedure,
  cleanup: cleanupInvitationsProcedure,
});
