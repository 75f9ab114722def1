import type { Job } from 'bullmq';
import { DomainEventsQueue, type Logger } from '@plinto/kernel';
import type { z } from 'zod';

export type DomainEventPayload = z.infer<typeof DomainEventsQueue.payload>;

/** A consumer of committed domain events (webhook fan-out, realtime publishing). Must be idempotent. */
export type DomainEventHandler = (event: DomainEventPayload) => Promise<void>;

/**
 * Processes the `events` queue: validates each event and hands it to every registered consumer.
 * Consumers dedupe by `eventId`, since delivery from the outbox is at-least-once.
 */
export function domainEventsProcessor(handlers: DomainEventHandler[], logger: Logger) {
  return async (job: Job): Promise<void> => {
    const event = DomainEventsQueue.payload.parse(job.data);
    for (const handle of handlers) await handle(event);
    logger.debug({ eventId: event.eventId, action: event.action, consumers: handlers.length }, 'domain event processed');
  };
}
