import type { Processor } from 'bullmq';
import {
  contextOf,
  inSpan,
  SpanKind,
  SpanStatusCode,
  tracer,
  tracingActive,
  EmailQueue,
  MaintenanceQueue,
  consumerQueue,
  emailConfigSchema,
  readConfigSection,
  type Config,
  type ConsumerDeps,
  type DomainEventConsumer,
  type DomainEventMessage,
  type QueueDescriptor,
} from '@plinto/kernel';
import { EVENT_BATCH_JOB, eventBatchSchema, retryJobOptions } from './event-batches';
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
  /** Its processor opens its own spans (per event), instead of one per job (see tracing.ts). */
  tracesItself?: boolean;
}

/**
 * The queue of each domain-event consumer. A job is one committed event (a lone event, or an
 * event retried on its own) or a batch of up to 50 (see event-batches.ts): each event of a batch
 * is handled in its own span of its own trace, and one that fails gets a job of its own with the
 * rest of its attempts — its retries and dead letter are its own, and the others are not re-run.
 */
export function domainEventQueueConsumer(consumer: DomainEventConsumer): QueueConsumer {
  const queue = consumerQueue(consumer.name);
  return {
    queue,
    concurrency: consumer.concurrency ?? 8,
    tracesItself: true,
    processor: (deps) => async (job) => {
      if (job.name !== EVENT_BATCH_JOB) {
        await inEventSpan(queue.name, job.name, job.attemptsMade + 1, job.data as Record<string, unknown>, () => consumer.handle(queue.payload.parse(job.data), deps));
        return { domainEvents: 1 };
      }
      const batch = eventBatchSchema.parse(job.data);
      const outcomes = await handleBatch(consumer, queue, batch.events, deps);
      const failed = outcomes.flatMap((error, i) => (error ? [i] : []));
      if (failed.length > 0) {
        for (const i of failed) deps.logger.warn({ err: outcomes[i], queue: queue.name, outboxId: batch.outboxIds[i] }, 'event failed in its batch; retried alone');
        // If this enqueue fails the whole batch job is retried: its other events run again (idempotent), none is lost.
        await deps.producers.get(queue.name).addBulk(
          failed.map((i) => ({ name: String(batch.events[i]!.action ?? 'event'), data: batch.events[i]!, opts: retryJobOptions(batch.outboxIds[i]!, queue.defaultJobOptions) })),
        );
      }
      return { domainEvents: batch.events.length - failed.length, failedDomainEvents: failed.length };
    },
  };
}

/** Runs a batch's events: per event, the error it failed with or undefined. */
async function handleBatch(consumer: DomainEventConsumer, queue: QueueDescriptor, raw: Record<string, unknown>[], deps: ConsumerDeps): Promise<(Error | undefined)[]> {
  const parsed = raw.map((data) => queue.payload.safeParse(data));
  const outcomes: (Error | undefined)[] = parsed.map((p) => (p.success ? undefined : new Error(`event rejected: ${p.error.message}`)));
  const valid = parsed.flatMap((p, i) => (p.success ? [i] : []));
  if (!consumer.handleBatch) {
    // Called at once for every event: handlers that group their writes (the webhook fan-out) get them in one go.
    await Promise.all(
      valid.map((i) =>
        inEventSpan(queue.name, String(raw[i]!.action), 1, raw[i]!, () => consumer.handle(parsed[i]!.data as DomainEventMessage, deps)).catch((error: unknown) => {
          outcomes[i] = asError(error);
        }),
      ),
    );
    return outcomes;
  }
  const spans = tracingActive() ? valid.map((i) => tracer('plinto-workers').startSpan(`job ${queue.name}`, spanOptions(queue.name, String(raw[i]!.action), 1), contextOf(raw[i]!.traceparent))) : [];
  let results: (Error | undefined)[];
  try {
    results = await consumer.handleBatch(valid.map((i) => parsed[i]!.data as DomainEventMessage), deps);
  } catch (error) {
    results = valid.map(() => asError(error));
  }
  valid.forEach((index, k) => {
    outcomes[index] = results[k];
    const span = spans[k];
    if (!span) return;
    const error = results[k];
    if (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 200) });
    }
    span.end();
  });
  return outcomes;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const spanOptions = (queue: string, name: string, attempt: number) => ({
  kind: SpanKind.CONSUMER,
  attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.operation.name': name, 'plinto.job.attempt': attempt },
});

/** An event's span (`job events.<consumer>`), continuing the trace its payload carries; no span work when not tracing. */
function inEventSpan<T>(queue: string, name: string, attempt: number, data: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  if (!tracingActive()) return work();
  return inSpan('plinto-workers', `job ${queue}`, { ...spanOptions(queue, name, attempt), parent: contextOf(data.traceparent) }, work);
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
