import { bulkCreateInvitations } from '../bulk.service';
import { bulkInvitationInput, bulkInvitationOutput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const bulkCreateInvitationsProcedure = invitationsProcedure('invitations:write')
  .meta({
    openapi: {
      method: 'POST',
      path: '/invitations/bulk',
      tags: TAGS,
      summary: 'Invite up to 1,000 people to an organization at once, with a result per row',
      protect: true,
    },
  })
  .input(bulkInvitationInput)
  .output(bulkInvitationOutput)
  .mutation(({ ctx, input }) => bulkCreateInvitations(ctx.sc, input));
