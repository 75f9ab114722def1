// Invitations: bulk invitations created and emailed per second, sustained — BENCH_INVITATION_CALLS
// back-to-back `POST /v1/invitations/bulk` calls of BENCH_INVITATIONS rows each to the real api
// process, until the last email reaches a local SMTP server through the outbox relay, BullMQ and
// the email worker of a real workers process (one call alone is also reported). Next to it,
// measured in the same run, the raw floor of the same work: multi-row INSERTs of the rows over pg,
// then the same number of messages sent by pooled nodemailer to the same SMTP server with the email
// worker's concurrency.
import { loadavg } from 'node:os';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { randomToken, sha256, uuidv7 } from '@plinto/kernel';
import { cpuMeter, formatCpu } from './cpu-meter';
import { startCountingSmtpSink, type CountingSmtpSink } from './smtp-sink';
import { BENCH_PLATFORM_KEY, REPO_ROOT, startApiProcess, startServerProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

const ROWS = Number(process.env.BENCH_INVITATIONS ?? 1000);
const ROUNDS = Number(process.env.BENCH_INVITATION_ROUNDS ?? 3);
const CALLS = Number(process.env.BENCH_INVITATION_CALLS ?? 3);
const EMAIL_CONCURRENCY = 16; // the email worker's default (EMAIL_CONCURRENCY)
const SETTLE_TIMEOUT_MS = 120_000;
// A database of its own: other suites leave outbox rows (emails, events) this suite's workers would send.
const DATABASE_URL = process.env.BENCH_INVITATIONS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench_invitations';
const PREFIX = 'plinto_bench_inv';

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function api(base: string, method: string, path: string, body?: unknown, tenant?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'content-type': 'application/json', ...(tenant ? { 'x-plinto-tenant': tenant } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The floor: one multi-row INSERT of the rows, then the emails straight to SMTP with the worker's concurrency. */
async function rawFloor(smtpPort: number, sink: CountingSmtpSink, total: number): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  // Pooled like the email worker's transport, so the floor compares the same sending strategy.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, pool: true, maxConnections: EMAIL_CONCURRENCY, maxMessages: 500 });
  try {
    await client.query('create table if not exists bench_raw_invitations (id uuid primary key, email text not null, token_hash text not null, created_at timestamptz not null default now())');
    const before = sink.received();
    const t0 = performance.now();
    const rows = Array.from({ length: total }, (_, i) => [uuidv7(), `raw-${i}-${Date.now()}@bench.test`, sha256(randomToken(32))]);
    for (let start = 0; start < total; start += ROWS) {
      const chunk = rows.slice(start, start + ROWS);
      await client.query(
        `insert into bench_raw_invitations (id, email, token_hash) select * from unnest($1::uuid[], $2::text[], $3::text[])`,
        [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])],
      );
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: EMAIL_CONCURRENCY }, async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          await transport.sendMail({
            from: 'bench@plinto.local',
            to: row[1],
            subject: 'You are invited to join Bench Org on Bench',
            text: `Accept: https://app.bench.test/accept-invitation?token=${randomToken(32)}`,
            html: '<p>Accept</p>',
          });
        }
      }),
    );
    await until(() => sink.received() - before >= total, 'raw emails');
    return total / ((sink.lastAt() - t0) / 1000);
  } finally {
    transport.close();
    await client.query('drop table if exists bench_raw_invitations').catch(() => undefined);
    await client.end();
  }
}

const bulkInvitations: Benchmark = {
  name: 'invitations',
  async run(): Promise<BenchRow[]> {
    const sink = await startCountingSmtpSink();
    const env = {
      DATABASE_URL,
      QUEUE_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      WORKERS_MAINTENANCE: 'false',
      WORKERS_METRICS_PORT: '0',
      EMAIL_PROVIDER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      EMAIL_CONCURRENCY: String(EMAIL_CONCURRENCY),
    };
    const workers = await startServerProcess(`${REPO_ROOT}workers/src/main.ts`, env); // migrates the bench database
    const apiProcess = await startApiProcess({ ...env, LOG_LEVEL: 'error' });
    try {
      const base = `http://127.0.0.1:${apiProcess.port}`;
      const slug = `bench-inv-${Date.now().toString(36)}`;
      await api(base, 'POST', '/v1/tenants', { slug, name: 'Bench', settings: { appUrl: 'https://app.bench.test' } });
      const org = await api(base, 'POST', '/v1/orgs', { name: 'Bench Org', slug: 'bench-org' }, slug);
      const bulk = (round: number, count: number) =>
        api(base, 'POST', '/v1/invitations/bulk', { organizationId: org.id, role: 'member', invitations: Array.from({ length: count }, (_, i) => ({ email: `r${round}-${i}@bench.test` })) }, slug);

      // Warm-up: JIT, pools, SMTP connections, BullMQ scripts.
      let expected = sink.received() + 50;
      await bulk(-1, 50);
      await until(() => sink.received() >= expected, 'warm-up emails');

      const figures: number[] = [];
      const singles: number[] = [];
      const callMs: number[] = [];
      const raws: number[] = [];
      const singleRaws: number[] = [];
      // Sends `calls` bulk calls back to back (each awaited, emails not) and waits for every email.
      const run = async (first: number, calls: number) => {
        expected = sink.received() + ROWS * calls;
        const t0 = performance.now();
        for (let c = 0; c < calls; c++) {
          const t = performance.now();
          const result = await bulk(first + c, ROWS);
          callMs.push(performance.now() - t);
          if (result.created !== ROWS) throw new Error(`expected ${ROWS} created, got ${result.created}`);
        }
        await until(() => sink.received() >= expected, 'invitation emails');
        return (ROWS * calls) / ((sink.lastAt() - t0) / 1000);
      };
      // CPU per invitation of each process over the sustained runs (and of the raw floor's).
      const cpu: Record<string, number>[] = [];
      const rawCpu: Record<string, number>[] = [];
      const pids = { api: apiProcess.pid, workers: workers.pid };
      for (let round = 0; round < ROUNDS; round++) {
        // Raw and Plinto alternate, so both see the same drift on a shared machine.
        let meter = await cpuMeter(DATABASE_URL, {});
        raws.push(await rawFloor(sink.port, sink, ROWS * CALLS));
        rawCpu.push(await meter.perOp(ROWS * CALLS));
        meter = await cpuMeter(DATABASE_URL, pids);
        figures.push(await run(round * (CALLS + 1), CALLS));
        cpu.push(await meter.perOp(ROWS * CALLS));
        singleRaws.push(await rawFloor(sink.port, sink, ROWS));
        singles.push(await run(round * (CALLS + 1) + CALLS, 1));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const medianCpu = (runs: Record<string, number>[]) => Object.fromEntries(Object.keys(runs[0]!).map((name) => [name, median(runs.map((r) => r[name]!))]));
      const load = loadavg().map((l) => l.toFixed(1)).join(' ');
      return [
        {
          name: `bulk invitations created + emailed, sustained (${CALLS} calls of ${ROWS})`,
          figure: median(figures),
          baselineName: `raw INSERT + pooled nodemailer→SMTP, ${EMAIL_CONCURRENCY} at once`,
          baseline: median(raws),
          unit: 'inv/s',
          higherIsBetter: true,
          goal: '1,000/s (promise 100+/s)',
          note: `median of ${ROUNDS}; one bulk call took ${median(callMs).toFixed(0)} ms (${((ROWS / median(callMs)) * 1000).toFixed(0)} created/s); CPU per invitation: ${formatCpu(medianCpu(cpu))}; raw floor: ${formatCpu(medianCpu(rawCpu))}; load ${load}`,
        },
        {
          name: `bulk invitations created + emailed, one call of ${ROWS}`,
          figure: median(singles),
          baselineName: `raw INSERT + pooled nodemailer→SMTP, ${EMAIL_CONCURRENCY} at once`,
          baseline: median(singleRaws),
          unit: 'inv/s',
          higherIsBetter: true,
          note: 'first email only after the call commits',
        },
      ];
    } finally {
      await apiProcess.stop();
      await workers.stop();
      await sink.close();
    }
  },
};

export const benchmarks: Benchmark[] = [bulkInvitations];
