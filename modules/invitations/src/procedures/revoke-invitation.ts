import { z } from 'zod';
import { revokeInvitation } from '../manage.service';
import { invitationIdParam, invitationOutput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const revokeInvitationProcedure = invitationsProcedure('invitations:write')
  .meta({ openapi: { method: 'DELETE', path: '/invitations/{id}', tags: TAGS, summary: 'Revoke a pending invitation (its link stops working)', protect: true } })
  .input(z.object({ id: invitationIdParam }))
  .output(invitationOutput)
  .mutation(({ ctx, input }) => revokeInvitation(ctx.sc, input.id));
