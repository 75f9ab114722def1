import type { Logger, MikroORM, QueueProducers } from '@plinto/kernel';
import { assertSecretsKey, dispatchNow, fanOutEvent, webhookConfig } from '@plinto/webhooks';
import type { Config } from '@plinto/kernel';
import type { DomainEventHandler } from './domain-events';

/**
 * The domain-event consumer that turns each committed event into webhook messages (one per
 * matching endpoint) and their delivery jobs. The rows and their outbox entries commit together;
 * enqueueing right after commit only saves the relay's poll, and may fail without loss.
 */
export function webhookFanOutHandler(deps: { orm: MikroORM; config: Config; logger: Logger; producers: QueueProducers }): DomainEventHandler {
  // Refuse to boot in production without the key that seals signing secrets.
  assertSecretsKey(deps.config);
  const firstDelay = webhookConfig(deps.config).WEBHOOK_RETRY_SCHEDULE[0] ?? 0;
  return async (event) => {
    const em = deps.orm.em.fork();
    const queued = await fanOutEvent(em, event, firstDelay);
    if (queued.length === 0 || firstDelay > 0) return;
    try {
      await dispatchNow(em, deps.producers, queued);
    } catch (error) {
      deps.logger.warn({ err: error, eventId: event.eventId }, 'webhook jobs left to the outbox relay');
    }
  };
}
