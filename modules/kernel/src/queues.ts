import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { waitForReplicas } from './redis';

/**
 * Queue names and the payload schema each queue's jobs must satisfy. Producers (the outbox relay)
 * and processors (workers/) both go through these descriptors, so a payload that does not fit
 * its schema is refused at the edge instead of failing inside a worker.
 */
export interface QueueDescriptor<T extends z.ZodType = z.ZodType> {
  name: string;
  payload: T;
  defaultJobOptions: JobsOptions;
}

const registry = new Map<string, QueueDescriptor>();

export function defineQueue<T extends z.ZodType>(name: string, payload: T, defaultJobOptions: JobsOptions = {}): QueueDescriptor<T> {
  if (registry.has(name)) throw new Error(`Queue ${name} is defined twice`);
  const descriptor: QueueDescriptor<T> = {
    name,
    payload,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      // Completed jobs linger a day so a re-enqueue with the same job id (the outbox id) is a no-op.
      removeOnComplete: { age: 24 * 3600, count: 50_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...defaultJobOptions,
    },
  };
  registry.set(name, descriptor);
  return descriptor;
}

export const queueDescriptor = (name: string): QueueDescriptor | undefined => registry.get(name);

export type QueueName = string;

export const domainEventMessageSchema = z.object({
  eventId: z.string().uuid(),
  action: z.string(),
  tenantId: z.string().uuid().nullable(),
  organizationId: z.string().uuid().nullable(),
  actor: z.object({ type: z.enum(['user', 'platform_operator', 'api_key', 'machine_client', 'system']), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});

/**
 * Every committed domain event is written to the outbox for this queue name; the relay hands it to
 * each consumer's own queue (`consumerQueue`), never to one shared queue.
 */
export const DomainEventsQueue = defineQueue('events', domainEventMessageSchema);
export const DOMAIN_EVENTS_QUEUE = DomainEventsQueue.name;

/**
 * The queue of one domain-event consumer (`events.<name>`): one job per committed event it
 * accepts, with its own retries and dead letters, so consumers never delay or re-run each other.
 */
export function consumerQueue(consumer: string): QueueDescriptor<typeof domainEventMessageSchema> {
  const name = `${DOMAIN_EVENTS_QUEUE}.${consumer}`;
  return (registry.get(name) as QueueDescriptor<typeof domainEventMessageSchema> | undefined) ?? defineQueue(name, domainEventMessageSchema);
}

/** Scheduled housekeeping: each job names its task. */
export const MaintenanceQueue = defineQueue(
  'maintenance',
  z.object({ task: z.string() }),
  { attempts: 3, removeOnComplete: { count: 1000 } },
);

/**
 * Opens (and caches) one BullMQ producer per queue name, all sharing one `producer` Redis
 * connection (see redis.ts). BullMQ's ESM build needs a client instance, not options.
 */
export class QueueProducers {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    /** REDIS_WAIT_REPLICAS / REDIS_WAIT_TIMEOUT_MS: see confirmReplicated. */
    private readonly durability: { replicas: number; timeoutMs: number } = { replicas: 0, timeoutMs: 2000 },
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const descriptor = registry.get(name);
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: descriptor?.defaultJobOptions,
      });
      // Errors surface on the add() that hit them; an unhandled 'error' event would crash the process.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Forgets a producer whose last call failed or hung: a Queue first used while Redis was down can
   * stay stuck on its initial connection, so the next call gets a fresh one.
   */
  discard(name: string): void {
    const queue = this.queues.get(name);
    this.queues.delete(name);
    void queue?.close().catch(() => undefined);
  }

  /**
   * True once the configured number of Redis replicas hold every job this producer added (Redis
   * WAIT; at once when none are configured). Whoever marks outbox rows dispatched after enqueueing
   * asks this first: a master failing over before replicating would lose jobs the outbox forgot.
   */
  confirmReplicated(): Promise<boolean> {
    return waitForReplicas(this.connection, this.durability.replicas, this.durability.timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
    this.connection.disconnect();
  }
}
