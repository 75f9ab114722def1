import { queueDescriptor, type EntityManager, type Logger, type MikroORM, type QueueProducers } from '@plinto/kernel';

interface OutboxRow {
  id: string;
  queue: string;
  job_name: string;
  payload: Record<string, unknown>;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Moves committed side effects from the `outbox` table to their BullMQ queues.
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of relays can run side by side
 * without handing out a row twice at the same time. The jobs are enqueued while the rows are still
 * locked, with the outbox id as job id, and the rows are marked dispatched in the same
 * transaction. If Redis is down the enqueue fails, the transaction rolls back and the rows wait;
 * if the process dies after enqueueing but before commit, the next claim enqueues again and
 * BullMQ ignores the duplicate job id. Either way nothing is lost.
 */
export class OutboxRelay {
  private stopped = false;
  private wake: (() => void) | undefined;
  /** A nudge that arrived while a batch was running: go again at once. */
  private nudged = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly producers: QueueProducers,
    private readonly logger: Logger,
    private readonly options: { batchSize: number; pollIntervalMs: number },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** New work was committed (see OutboxListener): look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Dispatches one batch; returns how many rows it moved. */
  async dispatchBatch(): Promise<number> {
    return this.orm.em.fork().transactional(async (tx) => {
      const rows: OutboxRow[] = await tx.execute(
        `select id, queue, job_name, payload from outbox
          where dispatched_at is null and available_at <= now()
          order by available_at, id
          limit ? for update skip locked`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;
      const invalid = await this.enqueue(rows);
      await this.markDispatched(tx, rows.map((r) => r.id).filter((id) => !invalid.has(id)), null);
      for (const [id, reason] of invalid) await this.markDispatched(tx, [id], reason);
      return rows.length;
    });
  }

  /** Enqueues rows grouped by queue; returns the rows whose payload does not fit the queue's schema. */
  private async enqueue(rows: OutboxRow[]): Promise<Map<string, string>> {
    const invalid = new Map<string, string>();
    const byQueue = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const descriptor = queueDescriptor(row.queue);
      const check = descriptor?.payload.safeParse(row.payload);
      if (!descriptor || !check?.success) {
        // A payload no processor can accept would fail forever; park it, visibly, instead.
        invalid.set(row.id, descriptor ? `payload rejected: ${check?.error?.message}` : `unknown queue ${row.queue}`);
        this.logger.error({ outboxId: row.id, queue: row.queue }, 'outbox row cannot be dispatched');
        continue;
      }
      byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
    }
    for (const [queue, group] of byQueue) {
      await this.producers.get(queue).addBulk(
        group.map((row) => ({ name: row.job_name, data: row.payload, opts: { jobId: row.id } })),
      );
    }
    return invalid;
  }

  private async markDispatched(tx: EntityManager, ids: string[], error: string | null): Promise<void> {
    if (ids.length === 0) return;
    await tx.execute(
      `update outbox set dispatched_at = now(), attempts = attempts + 1, last_error = ?
        where id in (${ids.map(() => '?').join(', ')})`,
      [error, ...ids],
    );
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let delay = this.options.pollIntervalMs;
      try {
        const moved = await this.dispatchBatch();
        if (failures > 0) this.logger.info('outbox relay recovered');
        failures = 0;
        if (moved === this.options.batchSize) continue; // more are waiting: go again at once
      } catch (error) {
        failures += 1;
        delay = Math.min(this.options.pollIntervalMs * 2 ** failures, MAX_BACKOFF_MS);
        if (failures === 1 || failures % 20 === 0) {
          this.logger.warn({ err: error, failures }, 'outbox relay cannot dispatch; rows stay pending and will be retried');
        }
      }
      if (this.nudged) {
        this.nudged = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
