import { updateInvitation } from '../manage.service';
import { invitationOutput, updateInvitationInput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const updateInvitationProcedure = invitationsProcedure('invitations:write')
  .meta({ openapi: { method: 'PATCH', path: '/invitations/{id}', tags: TAGS, summary: 'Change the role, teams or expiry of a pending invitation', protect: true } })
  .input(updateInvitationInput)
  .output(invitationOutput)
  .mutation(({ ctx, input }) => updateInvitation(ctx.sc, input));
