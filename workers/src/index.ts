/** @plinto/workers — BullMQ worker processes: outbox relay, domain events, maintenance. */
export { startWorkers, type WorkersRuntime, type WorkersOptions } from './runtime';
export { OutboxRelay } from './outbox-relay';
export { maintenanceTasks, type ScheduledTask, type MaintenanceTask } from './processors/maintenance';
export type { DomainEventHandler, DomainEventPayload } from './processors/domain-events';
