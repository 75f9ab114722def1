import { z } from 'zod';
import { resendInvitation } from '../manage.service';
import { expiresInDays, invitationIdParam, invitationWithLinkOutput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const resendInvitationProcedure = invitationsProcedure('invitations:write')
  .meta({
    openapi: { method: 'POST', path: '/invitations/{id}/resend', tags: TAGS, summary: 'Email a pending invitation again with a new link (the old link stops working)', protect: true },
  })
  .input(z.object({ id: invitationIdParam, expiresInDays: expiresInDays.optional() }))
  .output(invitationWithLinkOutput)
  .mutation(({ ctx, input }) => resendInvitation(ctx.sc, input));
