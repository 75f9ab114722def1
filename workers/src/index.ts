/** @plinto/workers — BullMQ worker processes: outbox relay, domain-event consumers, maintenance. */
export { startWorkers, type WorkersRuntime, type WorkersOptions } from './runtime';
export { OutboxRelay } from './outbox-relay';
export { maintenanceTasks, type ScheduledTask } from './processors/maintenance';
