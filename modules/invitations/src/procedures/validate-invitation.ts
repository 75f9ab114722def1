import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { validateInvitation } from '../validate.service';
import { invitationToken, validateInvitationOutput } from '../invitation.schemas';
import { TAGS } from './base';

export const validateInvitationProcedure = procedure
  .meta({
    access: 'public',
    openapi: {
      method: 'GET',
      path: '/invitation-tokens/{token}',
      tags: TAGS,
      summary: 'What an accept page shows for a valid invitation token; INVITATION_INVALID (404) for anything else',
    },
  })
  .input(z.object({ token: invitationToken }))
  .output(validateInvitationOutput)
  .query(({ ctx, input }) => validateInvitation(ctx.sc, input.token));
