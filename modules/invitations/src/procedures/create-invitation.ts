import { createInvitation } from '../create.service';
import { createInvitationInput, invitationWithLinkOutput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const createInvitationProcedure = invitationsProcedure('invitations:write')
  .meta({
    openapi: { method: 'POST', path: '/invitations', tags: TAGS, summary: 'Invite someone to an organization (emailed; the response holds the link once)', protect: true },
    successStatus: 201,
  })
  .input(createInvitationInput)
  .output(invitationWithLinkOutput)
  .mutation(({ ctx, input }) => createInvitation(ctx.sc, input));
