import { pageOf } from '@plinto/kernel';
import { listInvitations } from '../manage.service';
import { invitationOutput, listInvitationsInput } from '../invitation.schemas';
import { invitationsProcedure, TAGS } from './base';

export const listInvitationsProcedure = invitationsProcedure('invitations:read')
  .meta({ openapi: { method: 'GET', path: '/invitations', tags: TAGS, summary: 'List invitations, newest first (filter by organization, status, email)', protect: true } })
  .input(listInvitationsInput)
  .output(pageOf(invitationOutput))
  .query(({ ctx, input }) => listInvitations(ctx.sc, input));
