/** @plinto/workers — BullMQ worker processes: outbox relay, domain-event consumers, maintenance. */
export { startWorkers, type WorkersRuntime, type WorkersOptions } from './runtime';
export { OutboxRelay, OUTBOX_CLAIM_SQL } from './outbox-relay';
export { maintenanceTasks, type ScheduledTask } from './processors/maintenance';
export { EVENT_BATCH_JOB, MAX_EVENTS_PER_JOB, retryJobId, type EventBatch } from './event-batches';
