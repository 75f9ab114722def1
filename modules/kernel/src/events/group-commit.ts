import type { EntityManager } from '@mikro-orm/postgresql';
import { fastQuery } from '../db/fast-query';
import { eventRows, insertEventRows, type Actor, type DomainEvent, type EventRows } from './record';

/**
 * Group commit for events that are the whole change (an issued machine token, an application's
 * own audit event): the caller must not answer before its event is committed, but it needs no
 * transaction of its own. Events recorded while one batch is being written share the next batch —
 * one multi-row statement (audit rows and their outbox rows, atomic by itself) for up to MAX_BATCH
 * events. Under load that is one round trip (and one WAL flush) for many events; alone, one for one.
 */
const MAX_BATCH = 500;
/**
 * Batches written at once. One: the events recorded while a batch is written all wait for the
 * next one, so a batch holds about as many events as requests are in flight. Four writers (an
 * earlier choice, to keep PostgreSQL's other cores busy) split those into batches of one or two,
 * each its own statement and WAL flush. Measured on this project's 2-core machines
 * (`BENCH_CPU_OP='client credentials' pnpm bench:code-flow-cpu`; `pnpm bench audit`): with one
 * writer a machine token cost 1.12–1.21 ms of CPU in all instead of 1.52–1.62 (1,092–1,168
 * grants/s instead of 908–982), and single audit events appended through the API ran at 538/s
 * instead of 481/s.
 */
const MAX_WRITERS = 1;

interface Waiting {
  rows: EventRows;
  done: (error?: unknown) => void;
}

/** One queue per database (ORM driver): a process may talk to several (tests do). */
interface Queue {
  queued: Waiting[];
  writers: number;
}
const queues = new WeakMap<object, Queue>();
const queueOf = (em: EntityManager): Queue => {
  const driver = em.getDriver();
  let queue = queues.get(driver);
  if (!queue) queues.set(driver, (queue = { queued: [], writers: 0 }));
  return queue;
};

/**
 * Records `event` and resolves with its id once it is committed. Inside a caller's transaction it
 * simply joins that transaction (committed, or not, with it).
 */
export async function recordEventCommitted(em: EntityManager, actor: Actor, event: DomainEvent): Promise<string> {
  if (em.getTransactionContext()) {
    const rows = eventRows(actor, event);
    await insertEventRows(em, [rows]);
    return rows.eventId;
  }
  const queue = queueOf(em);
  return new Promise<string>((resolve, reject) => {
    const rows = eventRows(actor, event);
    queue.queued.push({ rows, done: (error) => (error ? reject(error) : resolve(rows.eventId)) });
    if (queue.writers < MAX_WRITERS) void drain(em, queue);
  });
}

async function drain(em: EntityManager, queue: Queue): Promise<void> {
  queue.writers++;
  try {
    while (queue.queued.length > 0) {
      const batch = queue.queued.splice(0, MAX_BATCH);
      try {
        await writeBatch(em, batch.map((w) => w.rows));
        for (const w of batch) w.done();
      } catch (error) {
        for (const w of batch) w.done(error);
      }
    }
  } finally {
    queue.writers--;
  }
}

const AUDIT_COLUMNS = 'id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id, outcome, ip, user_agent, request_id, data, occurred_at';
const OUTBOX_COLUMNS = 'id, tenant_id, queue, job_name, payload, created_at, available_at';

/** One statement: every audit row and every outbox row of the batch. */
function writeBatch(em: EntityManager, events: EventRows[]): Promise<unknown> {
  const params: unknown[] = [];
  const audit = events.map(({ audit: a }) => {
    params.push(a.id, a.tenantId, a.organizationId, a.actorType, a.actorId, a.action, a.source, a.targetType, a.targetId, a.outcome, a.ip, a.userAgent, a.requestId, JSON.stringify(a.data), a.occurredAt);
    return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)';
  });
  const outbox = events.flatMap((e) =>
    e.outbox.map((o) => {
      params.push(o.id, o.tenantId, o.queue, o.jobName, JSON.stringify(o.payload), o.createdAt, o.availableAt);
      return '(?, ?, ?, ?, ?::jsonb, ?, ?)';
    }),
  );
  return fastQuery(
    em.fork(),
    `with issued as (insert into audit_events (${AUDIT_COLUMNS}) values ${audit.join(', ')})
     insert into outbox (${OUTBOX_COLUMNS}) values ${outbox.join(', ')}`,
    params,
  );
}
