import { z } from 'zod';
import { CommonErrors } from '@plinto/kernel';
import { expireInvitations } from '../expire.service';
import { invitationsProcedure, TAGS } from './base';

/** The expiry sweep on demand: the tenant's (tenant-wide permission) or one organization's. */
export const cleanupInvitationsProcedure = invitationsProcedure('invitations:write')
  .meta({ openapi: { method: 'POST', path: '/invitations/cleanup', tags: TAGS, summary: 'Mark pending invitations past their expiry as expired now', protect: true } })
  .input(z.object({ organizationId: z.uuid().optional().describe('Only this organization; the whole tenant when absent (needs the permission tenant-wide)') }))
  .output(z.object({ expired: z.number().int() }))
  .mutation(async ({ ctx, input }) => {
    const { caller } = ctx;
    if (!(await caller.can('invitations:write', input.organizationId))) {
      throw CommonErrors.FORBIDDEN({ details: { permission: 'invitations:write', organizationId: input.organizationId ?? null } });
    }
    return expireInvitations(caller.em, caller.actor, { tenantId: caller.tenant.id, organizationId: input.organizationId });
  });
