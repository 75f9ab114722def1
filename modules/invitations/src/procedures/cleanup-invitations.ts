import { z } from 'zod';
import { cleanupInvitations } from '../expire.service';
import { invitationsProcedure, TAGS } from './base';

/** The expiry sweep on demand: the tenant's (tenant-wide permission) or one organization's. */
export const cleanupInvitationsProcedure = invitationsProcedure('invitations:write')
  .meta({ openapi: { method: 'POST', path: '/invitations/cleanup', tags: TAGS, summary: 'Mark pending invitations past their expiry as expired now', protect: true } })
  .input(z.object({ organizationId: z.uuid().optional().describe('Only this organization; the whole tenant when absent (needs the permission tenant-wide)') }))
  .output(z.object({ expired: z.number().int() }))
  .mutation(({ ctx, input }) => cleanupInvitations(ctx.sc, input));
