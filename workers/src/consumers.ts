import type { Processor } from 'bullmq';
import {
  EmailQueue,
  MaintenanceQueue,
  consumerQueue,
  emailConfigSchema,
  readConfigSection,
  type Config,
  type ConsumerDeps,
  type DomainEventConsumer,
  type QueueDescriptor,
} from '@plinto/kernel';
import { WebhooksQueue, webhookConfig } from '@plinto/webhooks';
import { domainEventConsumers } from '@plinto/platform';
import { maintenanceProcessor, type ScheduledTask } from './processors/maintenance';
import { webhooksProcessor } from './processors/webhooks';
import { emailProcessor } from './processors/email';

export interface WorkerDeps extends ConsumerDeps {
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
  processor: (deps: WorkerDeps) => Processor;
}

/** The queue of each domain-event consumer, processing one committed event per job (see the relay). */
export function domainEventQueueConsumer(consumer: DomainEventConsumer): QueueConsumer {
  const queue = consumerQueue(consumer.name);
  return {
    queue,
    concurrency: consumer.concurrency ?? 8,
    processor: (deps) => async (job) => {
      await consumer.handle(queue.payload.parse(job.data), deps);
    },
  };
}

/** Every queue the workers process: the platform's own, then one per domain-event consumer. */
export const queueConsumers = (consumers: DomainEventConsumer[] = domainEventConsumers): QueueConsumer[] => [
  {
    queue: MaintenanceQueue,
    concurrency: 1,
    enabled: (config) => config.WORKERS_MAINTENANCE,
    processor: ({ orm, config, logger, producers, services, tasks }) => maintenanceProcessor({ orm, config, logger, producers, services }, tasks),
  },
  {
    queue: WebhooksQueue,
    concurrency: (config) => webhookConfig(config).WEBHOOK_CONCURRENCY,
    processor: ({ orm, config, logger }) => webhooksProcessor({ orm, config, logger }),
  },
  {
    queue: EmailQueue,
    concurrency: (config) => readConfigSection(config, emailConfigSchema).EMAIL_CONCURRENCY,
    processor: ({ orm, config, logger, producers, onClose }) => emailProcessor({ orm, config, logger, producers, onClose }),
  },
  ...consumers.map(domainEventQueueConsumer),
];
