import { z } from 'zod';
import { getInvitation } from '../manage.service';
import { invitationIdParam, invitationOutput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const getInvitationProcedure = invitationsProcedure('invitations:read')
  .meta({ openapi: { method: 'GET', path: '/invitations/{id}', tags: TAGS, summary: 'Get an invitation', protect: true } })
  .input(z.object({ id: invitationIdParam }))
  .output(invitationOutput)
  .query(({ ctx, input }) => getInvitation(ctx.sc, input.id));
