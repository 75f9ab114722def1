// `node scripts/run.mjs tsx bench/src/tools/spine-cpu.ts [checkout...]`: what the event spine costs
// per event. One api process (this checkout), a private redis-server and, in turn for each checkout
// given (default: this one), a workers process started from that checkout; each round drives
// client-credentials grants (each writes one `client.token_issued` domain event) for
// SPINE_LOAD_MS, waits until the workers have drained everything (outbox relayed, every
// `events.*` queue empty, audit chain linked), and reports the workers' and Redis's CPU seconds
// (from /proc) per 1,000 events — the workers' net of what they burn idle (measured for 3 s before
// each round), and gross. CPU time, not throughput: far less disturbed by a shared machine.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { runLoad } from '../load';
import { BENCH_MASTER_KEY, BENCH_PLATFORM_KEY, REPO_ROOT, startApiProcess, startServerProcess } from '../processes';

const checkouts = (process.argv.slice(2).length ? process.argv.slice(2) : [REPO_ROOT]).map((c) => resolve(c));
const ROUNDS = Number(process.env.SPINE_ROUNDS ?? 3);
const LOAD_MS = Number(process.env.SPINE_LOAD_MS ?? 8000);
const IDLE_MS = 3000;
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/plinto_bench_spine';
const PREFIX = 'plinto_bench_spine';

const TICK = 100; // USER_HZ
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
}

const freePort = () =>
  new Promise<number>((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const redisPort = await freePort();
const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const REDIS_URL = `redis://127.0.0.1:${redisPort}`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
redis.on('error', () => undefined); // refused until redis-server listens
await until(async () => (await redis.ping().catch(() => '')) === 'PONG', 'redis');

const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query('drop database if exists plinto_bench_spine with (force)');
await admin.end();

const env = { DATABASE_URL, REDIS_URL, QUEUE_PREFIX: PREFIX, LOG_LEVEL: 'error', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000000', PUBLIC_URL: 'http://127.0.0.1:4000' };
const api = await startApiProcess(env);
const base = `http://127.0.0.1:${api.port}`;
const db = new pg.Client({ connectionString: DATABASE_URL });
await db.connect();
const adminHeaders = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_PLATFORM_KEY}` };
const client = (await (await fetch(`${base}/v1/clients`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ name: 'spine', roles: [], scopes: ['api:read'] }) })).json()) as { clientId: string; clientSecret: string };
const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');

const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;
const events = () => count(`select count(*)::int as n from outbox where queue = 'events'`);
async function drained(): Promise<boolean> {
  if ((await count('select count(*)::int as n from outbox where dispatched_at is null and available_at <= now()')) > 0) return false;
  if ((await count('select count(*)::int as n from audit_events where chain_seq is null')) > 0) return false;
  const queues = (await redis.keys(`${PREFIX}:events.*:meta`)).map((k) => k.slice(PREFIX.length + 1, -':meta'.length));
  for (const q of queues) {
    const [wait, active, delayed, prioritized] = await Promise.all([redis.llen(`${PREFIX}:${q}:wait`), redis.llen(`${PREFIX}:${q}:active`), redis.zcard(`${PREFIX}:${q}:delayed`), redis.zcard(`${PREFIX}:${q}:prioritized`)]);
    if (wait + active + delayed + prioritized > 0) return false;
  }
  return true;
}

const results = new Map<string, { workers: number; gross: number; redis: number; seconds: number; events: number; idlePerSecond: number }[]>();
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');
console.log(`load average at start ${load()}; ${ROUNDS} rounds of ${LOAD_MS} ms client-credentials load, concurrency 8`);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const checkout of checkouts) {
      const workers = await startServerProcess(resolve(checkout, 'workers/src/main.ts'), { ...env, WORKERS_MAINTENANCE: 'false', WORKERS_METRICS_PORT: '0', PLINTO_MASTER_KEY: BENCH_MASTER_KEY });
      try {
        await until(drained, 'the backlog of the previous round');
        // What the workers cost doing nothing (polls, timers), per second: subtracted below.
        const idleFrom = { cpu: cpuSeconds(workers.pid), at: Date.now() };
        await new Promise((r) => setTimeout(r, IDLE_MS));
        const idlePerSecond = ((cpuSeconds(workers.pid) - idleFrom.cpu) * 1000) / (Date.now() - idleFrom.at);
        const before = { workers: cpuSeconds(workers.pid), redis: cpuSeconds(redisServer.pid!), events: await events(), at: Date.now() };
        const result = await runLoad({ url: `${base}/t/default/oauth/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, body: 'grant_type=client_credentials&scope=api%3Aread', concurrency: 8, durationMs: LOAD_MS });
        await until(drained, 'the spine to drain');
        const after = { workers: cpuSeconds(workers.pid), redis: cpuSeconds(redisServer.pid!), events: await events(), at: Date.now() };
        const n = after.events - before.events;
        const seconds = (after.at - before.at) / 1000;
        const row = { workers: ((after.workers - before.workers - idlePerSecond * seconds) * 1000) / n, gross: ((after.workers - before.workers) * 1000) / n, redis: ((after.redis - before.redis) * 1000) / n, seconds, events: n, idlePerSecond };
        results.set(checkout, [...(results.get(checkout) ?? []), row]);
        console.log(`round ${round + 1} ${checkout}: ${n} events (${result.perSecond.toFixed(0)} grants/s, ${result.errors} errors), workers ${row.workers.toFixed(2)} s (${row.gross.toFixed(2)} s before subtracting its idle ${row.idlePerSecond.toFixed(3)} s/s) and redis ${row.redis.toFixed(2)} s CPU per 1,000 events, drained after ${row.seconds.toFixed(1)} s; load ${load()}`);
      } finally {
        await workers.stop();
      }
    }
  }
} finally {
  await api.stop();
  await db.end();
  redis.disconnect();
  redisServer.kill('SIGKILL');
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [checkout, rows] of results) {
  console.log(`${checkout}: median per 1,000 events: workers ${median(rows.map((r) => r.workers)).toFixed(2)} s CPU net of idle (${median(rows.map((r) => r.gross)).toFixed(2)} s gross), redis ${median(rows.map((r) => r.redis)).toFixed(2)} s CPU (${rows.map((r) => r.workers.toFixed(2)).join(', ')})`);
}
console.log(`load average at end ${load()}`);
