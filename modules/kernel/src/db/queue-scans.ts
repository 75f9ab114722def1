import type { EntityManager } from '@mikro-orm/postgresql';
import { fastQuery } from './fast-query';

/**
 * For the rest of `tx`'s transaction, scans read indexes in order instead of building bitmaps.
 *
 * Why: the outbox's pending rows and the audit log's unchained rows are queues kept in partial
 * indexes (`where dispatched_at is null`, `where chain_seq is null`). Every row handled leaves a
 * dead entry in that index until VACUUM removes it, and autovacuum runs at most once a minute
 * (and not at all where an operator turned it off, as this project's CI machines do). A plain
 * index scan that meets a dead entry marks it (LP_DEAD) so no later scan visits its heap row
 * again; a bitmap scan never marks anything, so each pass re-reads every dead row since the last
 * VACUUM. With stale statistics (a new daily partition, a table never analyzed) the planner picks
 * bitmaps for exactly these scans. Measured on the code-flow bench with autovacuum off: the relay's
 * claim and the chainer's read had grown to 1,400–2,150 buffers and ~5 ms per call after 20,000
 * events; with plain index scans they stay proportional to the rows still pending.
 */
export async function scanQueuesInIndexOrder(tx: EntityManager): Promise<void> {
  await fastQuery(tx, `select ${INDEX_ORDER_SCANS}`, [], 'index_order_scans');
}

/** The same as a select-list item, to fold into a statement the transaction runs first anyway. */
export const INDEX_ORDER_SCANS = `set_config('enable_bitmapscan', 'off', true)`;
