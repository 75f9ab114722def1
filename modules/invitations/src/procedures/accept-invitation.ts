import { procedure } from '@plinto/kernel';
import { acceptInvitation } from '../accept.service';
import { acceptInvitationInput, acceptInvitationOutput } from '../invitation.schemas';
import { TAGS } from './base';

/**
 * Public: the token is the credential. A signed-in user (bearer) accepts as themselves; without a
 * sign-in, `password` (and `name`) create the invited account. The tenant is the credential's, else
 * X-Plinto-Tenant's.
 */
export const acceptInvitationProcedure = procedure
  .meta({
    access: 'public',
    openapi: {
      method: 'POST',
      path: '/invitations/accept',
      tags: TAGS,
      summary: 'Accept an invitation: signed in as the invited email, or as a new account (password, name)',
    },
  })
  .input(acceptInvitationInput)
  .output(acceptInvitationOutput)
  .mutation(({ ctx, input }) => acceptInvitation(ctx.sc, input));
