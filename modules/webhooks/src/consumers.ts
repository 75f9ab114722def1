import { currentTraceparent, type ConsumerDeps, type DomainEventConsumer, type MaintenanceTask } from '@plinto/kernel';
import { webhookConfig } from './config';
import { fanOutEvents, type FanOutItem } from './fanout.service';
import { dispatchNow } from './outbox';
import { requeueStuckMessages } from './maintenance';
import { StatementBatcher } from './batch';

/**
 * The fan-out jobs a process runs at the same time go to the database together: one statement for
 * their messages and outbox rows, one enqueue and one outbox update for their jobs. A job
 * completes only once its event's rows committed; enqueueing after commit only saves the relay's
 * poll, and may fail without loss.
 */
const fanOutBatchers = new WeakMap<ConsumerDeps['producers'], StatementBatcher<FanOutItem, void>>();
function fanOutBatcher({ orm, config, logger, producers }: ConsumerDeps): StatementBatcher<FanOutItem, void> {
  let batcher = fanOutBatchers.get(producers);
  if (batcher) return batcher;
  const firstDelay = webhookConfig(config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
  batcher = new StatementBatcher<FanOutItem, void>(async (items) => {
    const em = orm.em.fork();
    const queued = (await fanOutEvents(em, items, firstDelay)).flat();
    if (queued.length > 0 && firstDelay === 0) {
      try {
        await dispatchNow(em, producers, queued);
      } catch (error) {
        logger.warn({ err: error, events: items.map((i) => i.event.eventId) }, 'webhook jobs left to the outbox relay');
      }
    }
    return items.map(() => undefined);
  });
  fanOutBatchers.set(producers, batcher);
  return batcher;
}

/**
 * Turns each committed event into webhook messages (one per matching endpoint) and their delivery
 * jobs. The rows and their outbox entries commit together; enqueueing right after commit only saves
 * the relay's poll, and may fail without loss.
 */
export const webhookFanOut: DomainEventConsumer = {
  name: 'webhooks.fan-out',
  // Jobs in flight wait for their batch's statement: more of them make fuller batches.
  concurrency: 32,
  handle: (event, deps) => fanOutBatcher(deps).add({ event, traceparent: currentTraceparent() }),
};

/** Messages still open this long after they were due have lost their job; they get a new one. */
const STUCK_GRACE_MS = 15 * 60 * 1000;

export const requeueStuckTask: MaintenanceTask = {
  name: 'webhooks.requeue-stuck',
  everyMs: 5 * 60 * 1000,
  run: ({ orm }) => requeueStuckMessages(orm.em.fork(), STUCK_GRACE_MS),
};
