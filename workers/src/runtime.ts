import { Worker, type Processor } from 'bullmq';
import {
  EMAIL_QUEUE,
  createOrm,
  ensureDatabase,
  migrate,
  createRedis,
  MaintenanceQueue,
  QueueProducers,
  consumerQueue,
  type DomainEventConsumer,
  type Config,
  type Logger,
  type MikroORM,
} from '@plinto/kernel';
import { OutboxRelay } from './outbox-relay';
import { emailJobs } from './email-batches';
import { AuditChainer } from './audit-chainer';
import { OutboxListener } from './outbox-listener';
import { auditConfig } from '@plinto/audit';
import { domainEventConsumers, platformSchema, startModules } from '@plinto/platform';
import { maintenanceTasks, type ScheduledTask } from './processors/maintenance';
import { queueConsumers, type WorkerDeps } from './consumers';
import { observeBacklogs, observeWorker, serveMetrics } from './metrics';
import { tracedProcessor } from './tracing';

export interface WorkersRuntime {
  orm: MikroORM;
  relay: OutboxRelay;
  producers: QueueProducers;
  /** This process's Prometheus endpoint (WORKERS_METRICS_PORT). */
  metricsUrl: string;
  /** Resolves once the maintenance job schedulers are registered in Redis. */
  schedulersReady: Promise<void>;
  /** Graceful: stops taking work, finishes the jobs in hand, then closes connections. */
  close(): Promise<void>;
}

export interface WorkersOptions {
  /** The maintenance tasks to schedule (default: every module's). */
  tasks?: ScheduledTask[];
  /** The domain-event consumers to run (default: every module's). */
  consumers?: DomainEventConsumer[];
}

/**
 * Registers every maintenance schedule. upsertJobScheduler is idempotent: booting any number of
 * worker processes, any number of times, leaves exactly one scheduler per task. Retries while
 * Redis is unreachable instead of failing the boot.
 */
async function registerSchedulers(producers: QueueProducers, tasks: ScheduledTask[], logger: Logger, isStopped: () => boolean) {
  const queue = producers.get(MaintenanceQueue.name);
  for (let attempt = 1; !isStopped(); attempt++) {
    try {
      for (const task of tasks) {
        await queue.upsertJobScheduler(task.name, { every: task.everyMs }, { name: task.name, data: { task: task.name } });
      }
      logger.info({ schedulers: tasks.map((t) => t.name) }, 'maintenance schedulers registered');
      return;
    } catch (error) {
      if (attempt === 1) logger.warn({ err: error }, 'cannot register schedulers yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, 5000)));
    }
  }
}

export async function startWorkers(config: Config, logger: Logger, options: WorkersOptions = {}): Promise<WorkersRuntime> {
  await ensureDatabase(config.DATABASE_URL);
  const orm = await createOrm(config, platformSchema, logger);
  await migrate(orm, config.DATABASE_URL);

  const producerRedis = createRedis(config.REDIS_URL, 'producer', 'plinto-workers-producer');
  const producers = new QueueProducers(producerRedis, config.QUEUE_PREFIX, { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS });
  const modules = await startModules({ orm, config, logger, redis: producerRedis, process: 'workers' });
  const consumers = options.consumers ?? domainEventConsumers;
  const relay = new OutboxRelay(orm, producers, logger, {
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    coalesceMs: config.OUTBOX_WAKE_COALESCE_MS,
    routeEvent: (action) => consumers.filter((c) => !c.accepts || c.accepts(action)).map((c) => consumerQueue(c.name).name),
    grouped: { [EMAIL_QUEUE]: emailJobs },
  });

  const workers: Worker[] = [];
  const connections: ReturnType<typeof createRedis>[] = [];
  const consume = (name: string, processor: Processor, concurrency: number, tracesItself = false) => {
    const connection = createRedis(config.REDIS_URL, 'worker', `plinto-worker-${name}`);
    connections.push(connection);
    const worker = new Worker(name, tracesItself ? processor : tracedProcessor(name, processor), {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency,
      lockDuration: config.QUEUE_LOCK_DURATION_MS,
      stalledInterval: config.QUEUE_LOCK_DURATION_MS,
    });
    worker.on('error', (error) => logger.warn({ err: error, queue: name }, 'worker connection error'));
    worker.on('failed', (job, error) => logger.warn({ err: error, queue: name, jobId: job?.id }, 'job failed'));
    observeWorker(worker, name);
    workers.push(worker);
  };

  const tasks = options.tasks ?? maintenanceTasks;
  const cleanups: (() => Promise<void> | void)[] = [];
  const deps: WorkerDeps = { orm, config, logger, producers, services: modules.services, tasks, onClose: (fn) => void cleanups.push(fn) };
  for (const consumer of queueConsumers(consumers)) {
    if (consumer.enabled && !consumer.enabled(config)) continue;
    const concurrency = typeof consumer.concurrency === 'function' ? consumer.concurrency(config) : consumer.concurrency;
    consume(consumer.queue.name, consumer.processor(deps), concurrency, consumer.tracesItself);
  }
  let stopped = false;
  const schedulersReady = config.WORKERS_MAINTENANCE
    ? registerSchedulers(producers, tasks, logger, () => stopped)
    : Promise.resolve();
  relay.start();
  const chainer = new AuditChainer(orm, logger, auditConfig(config).AUDIT_CHAIN_INTERVAL_MS, config.OUTBOX_WAKE_COALESCE_MS);
  chainer.start();
  const listener = new OutboxListener(config.DATABASE_URL, logger, [() => relay.nudge(), () => chainer.nudge()]);
  await listener.start();
  const metrics = await serveMetrics(config.HOST, config.WORKERS_METRICS_PORT, orm);
  const stopObserving = observeBacklogs({ orm, producers, queueNames: workers.map((w) => w.name), logger });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopped = true;
      stopObserving();
      await metrics.close();
      await listener.stop();
      await relay.stop();
      await chainer.stop();
      await Promise.all(workers.map((w) => w.close()));
      for (const cleanup of cleanups) await cleanup();
      await modules.close();
      // BullMQ leaves connections it was handed open; they are ours to close.
      for (const connection of connections) connection.disconnect();
      await schedulersReady;
      await producers.close();
      await orm.close();
    })());

  return { orm, relay, producers, schedulersReady, metricsUrl: metrics.url, close };
}
