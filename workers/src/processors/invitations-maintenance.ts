import { SYSTEM_ACTOR } from '@plinto/kernel';
import { expireInvitations } from '@plinto/invitations';
import type { ScheduledTask } from './maintenance';

/**
 * Pending invitations past their expiry are marked `expired`, with an audit + outbox event each.
 * Readers already treat them as expired; the sweep makes the stored status (and webhooks) agree.
 */
export const invitationsExpireTask: ScheduledTask = {
  name: 'invitations.expire',
  everyMs: 5 * 60 * 1000,
  run: ({ orm }) => expireInvitations(orm.em.fork(), SYSTEM_ACTOR),
};
