import pg from 'pg';
import { uuidv7 } from '@plinto/kernel';
import { loadavg } from 'node:os';
import { cpuMeter, formatCpu } from './cpu-meter';
import { percentile, runLoad } from './load';
import { BENCH_PLATFORM_KEY, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const DATABASE_URL = process.env.BENCH_AUDIT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench_audit';
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const PAGES = 300;
const EXPORT_ROWS = 200_000;
/** Events per batch append call, as many as rows per raw batched INSERT. */
const BATCH = 100;
const DAY = 86_400_000;
/** BENCH_AUDIT_APPENDS_ONLY=1: only the append rows (no 1M-event seed, pages or export), for tuning. */
const APPENDS_ONLY = process.env.BENCH_AUDIT_APPENDS_ONLY === '1';
const auth = { authorization: `Bearer ${BENCH_PLATFORM_KEY}` };

/**
 * Fills the table to EVENTS rows for the default tenant, spread over the last 30 days, with ids
 * minted like UUIDv7 from each row's time (as Plinto mints them). Kept between runs.
 */
async function seed(db: pg.Pool, tenantId: string): Promise<void> {
  // Only the seeded rows count: the append rows below add events of their own (bench.*) every run.
  const { rows } = await db.query("select count(*)::int as n from audit_events where tenant_id = $1 and action not like 'bench.%'", [tenantId]);
  const missing = EVENTS - rows[0].n;
  if (missing <= 0) return;
  process.stderr.write(`  seeding ${missing.toLocaleString()} audit events...\n`);
  const now = Date.now();
  for (let done = 0; done < missing; done += 100_000) {
    const n = Math.min(100_000, missing - done);
    await db.query(
      `insert into audit_events (id, tenant_id, actor_type, actor_id, action, target_type, target_id, outcome, ip, user_agent, data, occurred_at)
       select (lpad(to_hex(t.ms), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
              $1, 'user', 'user-' || (g % 1000), (array['user.signed_in','user.updated','user.created','session.revoked','org.member_added',
              'org.member_removed','policy.updated','webhook.delivered','invoice.paid','user.sign_in_failed'])[1 + g % 10],
              'user', 'user-' || (g % 997), case when g % 20 = 0 then 'failure' else 'success' end,
              '203.0.113.' || (g % 200), 'bench', jsonb_build_object('n', g), to_timestamp(t.ms / 1000.0)
         from generate_series($2::bigint, $3::bigint) g,
              lateral (select ($4::bigint - (g * ${30 * DAY}::bigint / ${EVENTS}))::bigint as ms, md5(g::text || random()::text) as h) t`,
      [tenantId, done, done + n - 1, now],
    );
  }
  await db.query('analyze audit_events');
}

const filters = [
  { query: 'action=user.', where: "action like 'user.%'" },
  { query: 'action=user.signed_in&outcome=success', where: "action = 'user.signed_in' and outcome = 'success'" },
  { query: 'actorId=user-42', where: "actor_id = 'user-42'" },
  { query: 'ip=203.0.113.7', where: "ip = '203.0.113.7'" },
];

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Pages and export over EVENTS seeded events, each against the raw query. */
async function readRows(base: string, db: pg.Pool, tenantId: string): Promise<BenchRow[]> {
  // Partitions for the 30 days the seed spreads over (the api keeps the coming days ready).
  for (let d = 31; d >= 1; d--) {
    const day = new Date(Date.now() - d * DAY).toISOString().slice(0, 10);
    const name = `audit_events_p${day.replace(/-/g, '')}`;
    await db.query(`create table if not exists ${name} partition of audit_events for values from ('${day}') to ('${new Date(Date.parse(day) + DAY).toISOString().slice(0, 10)}')`).catch(() => undefined);
  }
  await seed(db, tenantId);

  // A page of 100 with filters, deep into the table (cursor from a few pages in), vs the raw keyset query.
  const plintoMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < PAGES; i++) {
    const f = filters[i % filters.length]!;
    const first = (await fetch(`${base}/v1/audit-logs?limit=100&${f.query}`, { headers: auth }).then((r) => r.json())) as { nextCursor: string };
    const cursor = first.nextCursor as string;
    plintoMs.push(await timed(() => fetch(`${base}/v1/audit-logs?limit=100&${f.query}&cursor=${cursor}`, { headers: auth }).then((r) => r.json())));
    const after = Buffer.from(cursor, 'base64url').toString();
    rawMs.push(
      await timed(() =>
        db.query(
          `select * from audit_events where tenant_id = $1 and ${f.where} and id < $2 and occurred_at < $3 order by id desc limit 101`,
          [tenantId, after, new Date(parseInt(after.replace(/-/g, '').slice(0, 12), 16) + 1)],
        ),
      ),
    );
  }
  plintoMs.sort((a, b) => a - b);
  rawMs.sort((a, b) => a - b);

  // Export: rows per second through the streamed REST export vs reading the same rows raw.
  const exportMs = await timed(async () => {
    const res = await fetch(`${base}/v1/audit-logs/export`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'jsonl', limit: EXPORT_ROWS }),
    });
    const reader = res.body!.getReader();
    while (!(await reader.read()).done);
  });
  const rawExportMs = await timed(() => db.query(`select * from audit_events where tenant_id = $1 order by id desc limit ${EXPORT_ROWS}`, [tenantId]));

  return [
    { name: 'audit page of 100, filtered, p50', figure: percentile(plintoMs, 50), baselineName: 'raw keyset SQL p50', baseline: percentile(rawMs, 50), unit: 'ms', higherIsBetter: false, note: `${EVENTS.toLocaleString()} events in the table` },
    { name: 'audit page of 100, filtered, p99', figure: percentile(plintoMs, 99), baselineName: 'raw keyset SQL p99', baseline: percentile(rawMs, 99), unit: 'ms', higherIsBetter: false, goal: 'p99 within 3x (ratio >= 0.33)' },
    { name: 'audit export (JSON Lines, streamed)', figure: EXPORT_ROWS / (exportMs / 1000), baselineName: 'raw select of the same rows', baseline: EXPORT_ROWS / (rawExportMs / 1000), unit: 'rows/s', higherIsBetter: true },
  ];
}

const auditBench: Benchmark = {
  name: 'audit',
  async run(): Promise<BenchRow[]> {
    const api = await startApiProcess({ DATABASE_URL, AUDIT_EXPORT_MAX_RECORDS: String(EXPORT_ROWS), QUEUE_PREFIX: 'plinto_bench_audit' });
    const db = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
    try {
      const base = `http://127.0.0.1:${api.port}`;
      const tenantId = (await db.query("select id from tenants where slug = 'default'")).rows[0].id as string;
      const rows: BenchRow[] = [];
      if (!APPENDS_ONLY) rows.push(...(await readRows(base, db, tenantId)));

      // Appending application events through the API vs single-row raw inserts.
      await fetch(`${base}/v1/audit-logs/schemas`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'bench.appended', dataSchema: { fields: { n: { type: 'integer' } } } }),
      });
      const appended = await runLoad({
        url: `${base}/v1/audit-logs/events`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'bench.appended', data: { n: 1 } }),
        concurrency: 16,
        durationMs: 3000,
      });
      // The same events in batches of 100 per call (POST /v1/audit-logs/batch), as a backend that
      // records events from its own queue sends them — the like-for-like peer of raw batched
      // inserts. Every event carries an idempotency key, as a client that retries would send it.
      let batchCalls = 0;
      const runId = uuidv7();
      let meter = await cpuMeter(DATABASE_URL, { api: api.pid });
      const batched = await runLoad({
        url: `${base}/v1/audit-logs/batch`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: () => {
          const call = batchCalls++;
          return JSON.stringify({
            events: Array.from({ length: BATCH }, (_, i) => ({ action: 'bench.appended', data: { n: i }, idempotencyKey: `${runId}-${call}-${i}` })),
          });
        },
        concurrency: 16,
        durationMs: 3000,
      });
      const batchCpu = await meter.perOp(Math.max(1, (batched.requests - batched.errors) * BATCH));
      let rawInserts = 0;
      const deadline = Date.now() + 3000;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (Date.now() < deadline) {
            // UUIDv7 ids, as Plinto mints them (ids and time order agree; see modules/audit/src/uuid-time.ts).
            await db.query(
              `insert into audit_events (id, tenant_id, actor_type, action, data) values ($2, $1, 'system', 'bench.raw', '{}'::jsonb)`,
              [tenantId, uuidv7()],
            );
            rawInserts++;
          }
        }),
      );
      const rawPerSecond = rawInserts / ((Date.now() - t0) / 1000);
      // The baseline: the same rows written in batches (multi-row INSERTs of 100), as a
      // bulk writer would — the most a PostgreSQL connection pool can take in.
      meter = await cpuMeter(DATABASE_URL, {});
      let rawBatched = 0;
      const batchDeadline = Date.now() + 3000;
      const tb = Date.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (Date.now() < batchDeadline) {
            const ids = Array.from({ length: 100 }, () => uuidv7());
            await db.query(
              `insert into audit_events (id, tenant_id, actor_type, action, data) select id, $1, 'system', 'bench.raw', '{}'::jsonb from unnest($2::uuid[]) as id`,
              [tenantId, ids],
            );
            rawBatched += ids.length;
          }
        }),
      );
      const rawBatchedPerSecond = rawBatched / ((Date.now() - tb) / 1000);
      const rawBatchedCpu = await meter.perOp(rawBatched);

      return [
        ...rows,
        { name: 'audit events appended via API', figure: appended.perSecond, baselineName: 'raw single-row inserts', baseline: rawPerSecond, unit: 'events/s', higherIsBetter: true, note: `p99 ${appended.p99Ms.toFixed(1)} ms, ${appended.errors} errors` },
        { name: 'audit events appended via API', figure: appended.perSecond, baselineName: 'raw batched inserts (100 rows each)', baseline: rawBatchedPerSecond, unit: 'events/s', higherIsBetter: true, note: 'one event per call; 16 clients each side' },
        { name: 'audit events appended via batch API', figure: ((batched.requests - batched.errors) / batched.seconds) * BATCH, baselineName: 'raw batched inserts (100 rows each)', baseline: rawBatchedPerSecond, unit: 'events/s', higherIsBetter: true, goal: '>= 0.25', note: `${BATCH} events per call, idempotency keys; 16 clients each side; p99 ${batched.p99Ms.toFixed(1)} ms, ${batched.errors} errors; CPU per event: ${formatCpu(batchCpu)}; raw: ${formatCpu(rawBatchedCpu)}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}` },
      ];
    } finally {
      await db.end();
      await api.stop();
    }
  },
};

export const benchmarks: Benchmark[] = [auditBench];
