import type { Processor } from 'bullmq';
import { DomainEventsQueue, MaintenanceQueue, type Config, type Logger, type MikroORM, type QueueDescriptor, type QueueProducers } from '@plinto/kernel';
import { domainEventsProcessor, type DomainEventHandler } from './processors/domain-events';
import { maintenanceProcessor, maintenanceTasks, type ScheduledTask } from './processors/maintenance';
import { WebhooksQueue, webhookConfig } from '@plinto/webhooks';
import { webhooksProcessor } from './processors/webhooks';
import { webhookFanOutHandler } from './processors/webhooks-fanout';
import { EmailQueue, emailConfigSchema, readConfigSection } from '@plinto/kernel';
import { emailProcessor } from './processors/email';
import { signingKeyProvisioningHandler } from './processors/signing-key-provisioning';

export interface ConsumerDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  producers: QueueProducers;
  domainEventHandlers: DomainEventHandler[];
  tasks: ScheduledTask[];
  /** Registers cleanup for when the workers stop (after their BullMQ workers closed). */
  onClose(cleanup: () => Promise<void> | void): void;
}

/** One BullMQ queue this process consumes, and how. */
export interface QueueConsumer {
  queue: QueueDescriptor;
  /** Jobs in flight at once; a function when a setting decides it. */
  concurrency: number | ((config: Config) => number);
  /** Only run when this returns true (e.g. maintenance can be switched off per process). */
  enabled?: (config: Config) => boolean;
  processor: (deps: ConsumerDeps) => Processor;
}

/** Every queue the workers process. A module's processor is registered here, one entry each. */
export const consumers: QueueConsumer[] = [
  {
    queue: DomainEventsQueue,
    concurrency: 16,
    processor: ({ domainEventHandlers, logger }) => domainEventsProcessor(domainEventHandlers, logger),
  },
  {
    queue: MaintenanceQueue,
    concurrency: 1,
    enabled: (config) => config.WORKERS_MAINTENANCE,
    processor: ({ orm, config, logger, tasks }) => maintenanceProcessor({ orm, config, logger }, tasks),
  },
  {
    queue: WebhooksQueue,
    concurrency: (config) => webhookConfig(config).WEBHOOK_CONCURRENCY,
    processor: ({ orm, config, logger }) => webhooksProcessor({ orm, config, logger }),
  },
  {
    queue: EmailQueue,
    concurrency: (config) => readConfigSection(config, emailConfigSchema).EMAIL_CONCURRENCY,
    processor: ({ orm, config, logger, onClose }) => emailProcessor({ orm, config, logger, onClose }),
  },
];

/** Consumers of committed domain events (webhook fan-out, realtime publishing), in order. */
export const defaultDomainEventHandlers = (deps: Omit<ConsumerDeps, 'domainEventHandlers' | 'tasks' | 'onClose'>): DomainEventHandler[] => [
  webhookFanOutHandler(deps),
  signingKeyProvisioningHandler(deps),
];

export { maintenanceTasks };
