import { PollingLoop } from './polling-loop';
import { contextOf, currentTraceparent, DOMAIN_EVENTS_QUEUE, fastQuery, queueDescriptor, scanQueuesInIndexOrder, tracer, SpanKind, type Logger, type MikroORM, type QueueProducers, type Span } from '@plinto/kernel';
import { context, trace } from '@opentelemetry/api';
import { eventJobs, type EventJob, type OutboxItem } from './event-batches';

interface OutboxRow {
  id: string;
  queue: string;
  job_name: string;
  payload: Record<string, unknown>;
}

/**
 * The relay's claim: the oldest due rows not yet dispatched (at most `?`), locked (skipping rows
 * another relay holds) and marked dispatched in the same statement. The transaction commits only
 * after their jobs are enqueued; if that fails, it rolls back and the rows are pending again. The
 * ids go through an array so the update finds them by primary key whatever the planner thinks of
 * the table.
 */
export const OUTBOX_CLAIM_SQL = `with claimed as (
    update outbox set dispatched_at = now(), attempts = attempts + 1, last_error = null
     where id = any(array(
       select id from outbox
        where dispatched_at is null and available_at <= now()
        order by available_at, id
        limit ? for update skip locked))
    returning id, queue, job_name, payload, available_at)
  select id, queue, job_name, payload from claimed order by available_at, id`;

const MAX_BACKOFF_MS = 5000;
const ENQUEUE_TIMEOUT_MS = 5000;

/**
 * Moves committed side effects from the `outbox` table to their BullMQ queues.
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of relays can run side by side
 * without handing out a row twice at the same time. The claim marks them dispatched, the jobs are
 * enqueued while the rows are still locked, with the outbox id as job id, and only then does the
 * transaction commit. If Redis is down the enqueue fails, the transaction rolls back and the rows wait;
 * if the process dies after enqueueing but before commit, the next claim enqueues again and
 * BullMQ ignores the duplicate job id. Either way nothing is lost.
 *
 * A domain event (queue `events`) is handed to every consumer that accepts it, each on its own
 * queue (`routeEvent`), so consumers retry and dead-letter independently; up to 50 events of a
 * batch share one job per consumer (see event-batches.ts), whose id is digested from their outbox
 * ids, so a re-relay of the same rows is deduplicated as a single row's job is.
 */
export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly orm: MikroORM,
    private readonly producers: QueueProducers,
    private readonly logger: Logger,
    private readonly options: {
      batchSize: number;
      pollIntervalMs: number;
      coalesceMs?: number;
      routeEvent: (action: string) => string[];
      /** Queues (other than domain events') whose rows go several to a job, and how (e.g. emailJobs). */
      grouped?: Record<string, (rows: OutboxItem[]) => EventJob[]>;
    },
  ) {
    // A full batch means more rows are waiting: go again at once.
    this.loop = new PollingLoop('outbox relay', async () => (await this.dispatchBatch()) === options.batchSize, logger, {
      intervalMs: options.pollIntervalMs,
      maxBackoffMs: MAX_BACKOFF_MS,
      coalesceMs: options.coalesceMs ?? 0,
    });
  }

  start(): void {
    this.loop.start();
  }

  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Dispatches one batch; returns how many rows it moved. */
  async dispatchBatch(): Promise<number> {
    return this.orm.em.fork().transactional(async (tx) => {
      await scanQueuesInIndexOrder(tx);
      const rows = await fastQuery<OutboxRow>(tx, OUTBOX_CLAIM_SQL, [this.options.batchSize], 'outbox_claim');
      if (rows.length === 0) return 0;
      const invalid = await this.enqueue(rows);
      // With replicas configured, a row is let go of only once its job is on a replica too.
      if (!(await this.producers.confirmReplicated())) throw new Error('jobs not confirmed by the Redis replicas yet; the rows stay for the next try');
      for (const [id, reason] of invalid) await fastQuery(tx, 'update outbox set last_error = ? where id = ?', [reason, id]);
      return rows.length;
    });
  }

  /** Enqueues rows grouped by queue; returns the rows whose payload does not fit the queue's schema. */
  private async enqueue(rows: OutboxRow[]): Promise<Map<string, string>> {
    const invalid = new Map<string, string>();
    // Per target queue, and whether its rows are routed domain events (batched) or jobs of their own.
    const groups = new Map<string, { queue: string; events: boolean; rows: OutboxRow[] }>();
    for (const row of rows) {
      const descriptor = queueDescriptor(row.queue);
      const check = descriptor?.payload.safeParse(row.payload);
      if (!descriptor || !check?.success) {
        // A payload no processor can accept would fail forever; park it, visibly, instead.
        invalid.set(row.id, descriptor ? `payload rejected: ${check?.error?.message}` : `unknown queue ${row.queue}`);
        this.logger.error({ outboxId: row.id, queue: row.queue }, 'outbox row cannot be dispatched');
        continue;
      }
      const events = row.queue === DOMAIN_EVENTS_QUEUE;
      for (const queue of events ? this.options.routeEvent(row.job_name) : [row.queue]) {
        const key = `${events ? 'events' : 'jobs'} ${queue}`;
        const group = groups.get(key);
        if (group) group.rows.push(row);
        else groups.set(key, { queue, events, rows: [row] });
      }
    }
    // The queues' adds go out together (one connection, pipelined): one round trip, not one per queue.
    await Promise.all([...groups.values()].map((group) => this.enqueueGroup(group.queue, group.rows, group.events)));
    return invalid;
  }

  private async enqueueGroup(queue: string, group: OutboxRow[], domainEvents: boolean): Promise<void> {
    // A span per row in the trace it carries; the job (or the event's part of a batch) continues the trace from this span.
    const spans = group.map((row) => relaySpan(row, queue));
    const items = group.map((row, i) => ({ id: row.id, name: row.job_name, data: withTrace(row.payload, spans[i]) }));
    // Domain events go to their consumers in batches, so do the rows of a grouped queue; other queues' jobs are one per row.
    const grouped = domainEvents ? eventJobs : this.options.grouped?.[queue];
    const jobs = grouped ? grouped(items) : items.map((item) => ({ name: item.name, data: item.data, opts: { jobId: item.id } }));
    let timer: NodeJS.Timeout | undefined;
    try {
      // Bounded: the rows stay locked meanwhile, and a stuck producer must not stall the relay.
      await Promise.race([
        this.producers.get(queue).addBulk(jobs),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`enqueue to ${queue} took over ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      this.producers.discard(queue);
      for (const span of spans) span?.recordException(error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
      for (const span of spans) span?.end();
    }
  }

}

/** The relay's span for a row that carries a trace (none for rows without one). */
function relaySpan(row: OutboxRow, queue: string): Span | undefined {
  if (typeof row.payload.traceparent !== 'string') return undefined;
  return tracer('plinto-workers').startSpan(
    'outbox.relay',
    { kind: SpanKind.PRODUCER, attributes: { 'plinto.outbox.id': row.id, 'messaging.destination.name': queue } },
    contextOf(row.payload.traceparent),
  );
}

function withTrace(payload: Record<string, unknown>, span: Span | undefined): Record<string, unknown> {
  if (!span) return payload;
  const traceparent = context.with(trace.setSpan(context.active(), span), currentTraceparent);
  return traceparent ? { ...payload, traceparent } : payload;
}
