import { requeueStuckMessages } from '@plinto/webhooks';
import type { ScheduledTask } from './maintenance';

/** Messages still open this long after they were due have lost their job; they get a new one. */
const STUCK_GRACE_MS = 15 * 60 * 1000;

export const webhooksRequeueTask: ScheduledTask = {
  name: 'webhooks.requeue-stuck',
  everyMs: 5 * 60 * 1000,
  run: ({ orm }) => requeueStuckMessages(orm.em.fork(), STUCK_GRACE_MS),
};
