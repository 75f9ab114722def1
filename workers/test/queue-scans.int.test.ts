import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrm, createRedis, eventRows, insertEventRows, QueueProducers, scanQueuesInIndexOrder, SYSTEM_ACTOR, createLogger, type EntityManager, type MikroORM } from '@plinto/kernel';
import { dropTestDatabases, testConfig, undeclaredEvent } from '@plinto/kernel/testing';
import { chainPendingEvents, UNCHAINED_PROBE_SQL, UNCHAINED_READ_SQL } from '@plinto/audit';
import { OUTBOX_CLAIM_SQL, OutboxRelay } from '@plinto/workers';
import { platformSchema } from '@plinto/platform';

/**
 * The outbox's pending rows and the audit log's unchained rows are queues in partial indexes:
 * every row handled leaves a dead index entry until VACUUM. These tests handle thousands of rows
 * with autovacuum off for those tables (as on this project's CI machines, and as between two
 * autovacuum runs anywhere) and then count the buffers the relay's and the chainer's scans read.
 */
let orm: MikroORM;
let producers: QueueProducers;
const EVENTS = 3000;

beforeAll(async () => {
  const config = await testConfig();
  orm = await createOrm(config, platformSchema);
  producers = new QueueProducers(createRedis(config.REDIS_URL, 'producer', 'test'), config.QUEUE_PREFIX);
  const em = orm.em.fork();
  const partitions = await em.execute<{ name: string }[]>(`select inhrelid::regclass::text as name from pg_inherits where inhparent = 'audit_events'::regclass`);
  for (const table of ['outbox', ...partitions.map((p) => p.name)]) await em.execute(`alter table ${table} set (autovacuum_enabled = false)`);
  await em.transactional(async (tx) => {
    const events = Array.from({ length: EVENTS }, (_, n) => eventRows(SYSTEM_ACTOR, undeclaredEvent('scan.tested', { tenantId: null, data: { n } })));
    await insertEventRows(tx, events);
  });
  // Every row handled the way the workers handle them: relayed (to no consumer) and chained.
  const relay = new OutboxRelay(orm, producers, createLogger({ LOG_LEVEL: 'silent' }, 'test'), { batchSize: 500, pollIntervalMs: 5, routeEvent: () => [] });
  while ((await relay.dispatchBatch()) > 0);
  while ((await chainPendingEvents(orm)) > 0);
});
afterAll(async () => {
  await producers.close();
  await orm.close();
  await dropTestDatabases();
});

interface PlanNode {
  'Node Type': string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}
const nodeTypes = (node: PlanNode): string[] => [node['Node Type'], ...(node.Plans ?? []).flatMap(nodeTypes)];

/**
 * Runs `sql` under EXPLAIN ANALYZE in a transaction set up by `prepare`, then rolls it back (the
 * relay's claim is an UPDATE); its node types and the buffers it read.
 */
async function explain(sql: string, params: unknown[], prepare: (tx: EntityManager) => Promise<void>): Promise<{ nodes: string[]; buffers: number }> {
  let result: { nodes: string[]; buffers: number } | undefined;
  const rolledBack = new Error('rolled back');
  await orm.em
    .fork()
    .transactional(async (tx) => {
      await prepare(tx);
      const [row] = await tx.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(`explain (analyze, buffers, format json) ${sql}`, params);
      const plan = row!['QUERY PLAN'][0].Plan;
      result = { nodes: nodeTypes(plan), buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'] };
      throw rolledBack;
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
  return result!;
}

/**
 * Index scans in index order (no bitmap) until one reads fewer than 100 buffers: the dead entries
 * were marked by a scan that passed them. A scan marks an entry only once the row is dead to every
 * snapshot, and a backend recomputes that horizon only when the oldest snapshot in the whole
 * cluster moves, so while another database (a parallel test file) holds a long transaction open,
 * the marks wait: this retries, as the relay's next passes would, for up to 60 s.
 */
async function settlesToFewBuffers(sql: string, params: unknown[]): Promise<void> {
  let last: { nodes: string[]; buffers: number } | undefined;
  try {
    await vi.waitFor(
      async () => {
        last = await explain(sql, params, scanQueuesInIndexOrder);
        expect(last.nodes.some((n) => n.startsWith('Bitmap'))).toBe(false);
        expect(last.buffers).toBeLessThan(100);
      },
      { timeout: 60_000, interval: 250 },
    );
  } catch (error) {
    const oldest = await orm.em.fork().execute(
      `select datname, backend_xmin::text, state, now() - xact_start as open_for, left(query, 80) as query
         from pg_stat_activity where backend_xmin is not null order by age(backend_xmin) desc limit 3`,
    );
    throw new Error(`still ${last?.buffers} buffers (${last?.nodes.join(', ')}); oldest snapshots: ${JSON.stringify(oldest)}`, { cause: error });
  }
}

describe('the spine queue scans, after 3,000 events were handled and nothing vacuumed', () => {
  const scans = [
    { name: "the relay's claim", sql: OUTBOX_CLAIM_SQL, params: [500] },
    { name: "the chainer's probe", sql: UNCHAINED_PROBE_SQL, params: [] },
    { name: "the chainer's read", sql: UNCHAINED_READ_SQL, params: [5000] },
  ];

  it.each(scans)('$name reads the index in order and, once past the dead entries, a few buffers', async ({ sql, params }) => {
    // A scan meets each dead entry once and marks it; later scans skip them. Settled: an index
    // page or two per daily audit partition, where a bitmap scan reads all 3,000 dead rows' pages.
    await settlesToFewBuffers(sql, params);
  }, 90_000);

  it("a bitmap scan (the planner's choice on stale statistics) reads every dead row's page on every pass; an index scan once", async () => {
    // Fresh dead entries nothing has scanned past yet: rows written and marked dispatched at once.
    await orm.em.fork().transactional(async (tx) => {
      const events = Array.from({ length: EVENTS }, (_, n) => eventRows(SYSTEM_ACTOR, undeclaredEvent('scan.tested', { tenantId: null, data: { n } })));
      await insertEventRows(tx, events);
    });
    await orm.em.fork().execute('update outbox set dispatched_at = now() where dispatched_at is null');
    const bitmapOnly = async (tx: EntityManager) => {
      await tx.execute(`select set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true)`);
    };
    for (let pass = 0; pass < 2; pass++) {
      const { nodes, buffers } = await explain(OUTBOX_CLAIM_SQL, [500], bitmapOnly);
      expect(nodes).toContain('Bitmap Heap Scan');
      expect(buffers).toBeGreaterThan(EVENTS / 100);
    }
    const first = await explain(OUTBOX_CLAIM_SQL, [500], scanQueuesInIndexOrder);
    expect(first.buffers).toBeGreaterThan(EVENTS / 100);
    await settlesToFewBuffers(OUTBOX_CLAIM_SQL, [500]);
  }, 90_000);
});
