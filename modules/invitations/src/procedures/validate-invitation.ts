import { z } from 'zod';
import { tenantProcedure } from '@plinto/kernel';
import { validateInvitation } from '../validate.service';
import { invitationToken, validateInvitationOutput } from '../invitation.schemas';
import { TAGS } from './base';

export const validateInvitationProcedure = tenantProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/invitations/validate/{token}',
      tags: TAGS,
      summary: 'What an accept page shows for a valid invitation token; INVITATION_INVALID (404) for anything else',
    },
  })
  .input(z.object({ token: invitationToken }))
  .output(validateInvitationOutput)
  .query(({ ctx, input }) => validateInvitation(ctx.em, ctx.tenant.id, input.token));
