import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const ref = z.object({ invitationId: z.uuid(), email: z.string(), role: z.string() });

/** The events this module records (the action catalog, webhook event types). */
export const InvitationEvents = defineEvents('invitations', {
  'invitation.created': {
    description: 'An invitation to an organization was created and emailed',
    data: ref.extend({ teamIds: z.array(z.uuid()), expiresAt: z.iso.datetime(), bulk: z.boolean() }),
  },
  'invitation.updated': { description: 'A pending invitation was changed (role, teams, expiry)', data: ref.extend({ changed: z.array(z.string()) }) },
  'invitation.resent': { description: 'A pending invitation was emailed again with a new link (the old link no longer works)', data: ref.extend({ sendCount: z.number(), expiresAt: z.iso.datetime() }) },
  'invitation.revoked': { description: 'A pending invitation was revoked', data: ref },
  'invitation.accepted': {
    description: 'An invitation was accepted: the user joined the organization (a new account when `newUser`)',
    data: ref.extend({ userId: z.uuid(), newUser: z.boolean() }),
  },
  'invitation.expired': { description: 'A pending invitation passed its expiry and was marked expired', data: ref.extend({ expiresAt: z.iso.datetime() }) },
});
