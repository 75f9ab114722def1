import type { DomainEventConsumer, MaintenanceTask } from '@plinto/kernel';
import { webhookConfig } from './config';
import { fanOutEvent } from './fanout.service';
import { dispatchNow } from './outbox';
import { requeueStuckMessages } from './maintenance';

/**
 * Turns each committed event into webhook messages (one per matching endpoint) and their delivery
 * jobs. The rows and their outbox entries commit together; enqueueing right after commit only saves
 * the relay's poll, and may fail without loss.
 */
export const webhookFanOut: DomainEventConsumer = {
  name: 'webhooks.fan-out',
  concurrency: 16,
  async handle(event, { orm, config, logger, producers }) {
    const firstDelay = webhookConfig(config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
    const em = orm.em.fork();
    const queued = await fanOutEvent(em, event, firstDelay);
    if (queued.length === 0 || firstDelay > 0) return;
    try {
      await dispatchNow(em, producers, queued);
    } catch (error) {
      logger.warn({ err: error, eventId: event.eventId }, 'webhook jobs left to the outbox relay');
    }
  },
};

/** Messages still open this long after they were due have lost their job; they get a new one. */
const STUCK_GRACE_MS = 15 * 60 * 1000;

export const requeueStuckTask: MaintenanceTask = {
  name: 'webhooks.requeue-stuck',
  everyMs: 5 * 60 * 1000,
  run: ({ orm }) => requeueStuckMessages(orm.em.fork(), STUCK_GRACE_MS),
};
