// `pnpm bench:code-flow-cpu`: CPU time per authorization-code flow (authorize for a signed-in
// browser → code → token with PKCE, client_secret_basic, RS256 ID token) of every process involved —
// Plinto's api and workers, oidc-provider (EdDSA JWT access tokens, Redis adapter), PostgreSQL and
// Redis — from /proc utime + stime before and after a fixed number of flows. On a shared machine
// throughput moves with everyone else's load; the CPU a flow costs each process barely does.
// PostgreSQL backends are attributed to the process they serve; Redis is shared with other
// sessions, so its figure is an upper bound. BENCH_FLOWS, BENCH_ROUNDS, BENCH_WARM_UP_FLOWS.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { httpClient, type FlowOptions } from '../flow-load';
import { startOidcProvider, startPlinto, type Contender, type Operation } from '../peers/systems';
import { processCpuMicros } from '../proc-cpu';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 2000);
const WARM_UP = Number(process.env.BENCH_WARM_UP_FLOWS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = 8;

/** utime + stime of a process in milliseconds; 0 once it is gone. */
const cpuMs = (pid: number) => processCpuMicros(pid).total / 1000;

/** Every process whose command name starts with `prefix` (PostgreSQL's backends, redis-server). */
function pidsNamed(prefix: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith(prefix);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** PostgreSQL's own processes (WAL writer, checkpointer, background writer…), not a backend. */
function isBackground(pid: number): boolean {
  try {
    return /postgres: [^:]+: (checkpointer|background writer|walwriter|autovacuum)/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** The client process (pid) of each PostgreSQL backend, from the backends' client ports and the sockets' owners (ss). */
function backendClients(): Map<number, number> {
  const ownerOfPort = new Map<number, number>();
  for (const line of execFileSync('ss', ['-tnpH', 'state', 'established', '( dport = :5432 )'], { encoding: 'utf8' }).split('\n')) {
    const m = /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:5432.*pid=(\d+)/.exec(line);
    if (m) ownerOfPort.set(Number(m[1]), Number(m[2]));
  }
  const rows = execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select pid, client_port from pg_stat_activity where client_port is not null'], { encoding: 'utf8' });
  const clients = new Map<number, number>();
  for (const row of rows.trim().split('\n')) {
    const [pid, port] = row.split('|').map(Number);
    const owner = ownerOfPort.get(port!);
    if (owner) clients.set(pid!, owner);
  }
  return clients;
}

/**
 * CPU of PostgreSQL per pid (backends by their client's role in `roles`, the rest as `postgresql
 * (other)`: WAL writer, checkpointer, other sessions' backends) and of Redis.
 */
function sharedCpu(roles: Record<string, number>): Map<string, number> {
  const roleOf = new Map(Object.entries(roles).map(([role, pid]) => [pid, role]));
  const clients = backendClients();
  const perPid = new Map<string, number>();
  for (const pid of pidsNamed('postgres')) {
    const role = roleOf.get(clients.get(pid) ?? -1);
    perPid.set(`${role ? `postgresql (${role})` : isBackground(pid) ? 'postgresql (WAL writer, checkpointer…)' : 'postgresql (other)'}|${pid}`, cpuMs(pid));
  }
  for (const pid of pidsNamed('redis-server')) perPid.set(`redis|${pid}`, cpuMs(pid));
  for (const [role, pid] of Object.entries(roles)) perPid.set(`${role}|${pid}`, cpuMs(pid));
  return perPid;
}

/** Per-role CPU spent between two snapshots (a process gone meanwhile is left out; a new one counts whole). */
function spent(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const [key, ms] of after) {
    const role = key.split('|')[0]!;
    roles[role] = (roles[role] ?? 0) + ms - (before.get(key) ?? 0);
  }
  return roles;
}

/**
 * BENCH_CPU_OP: the peers suite's operation to measure (default the authorization-code flow); one
 * whose load is a single request (e.g. `client credentials`) is sent as such.
 */
const OPERATION = (process.env.BENCH_CPU_OP ?? 'authorization code') as Operation;

/** One operation of `c` as a flow: its own flow, or its single request answered 2xx. */
function flowOf(c: Contender): FlowOptions['flow'] {
  const op = c.ops[OPERATION];
  if (!op) throw new Error(`${c.name} has no operation "${OPERATION}"`);
  if (op.flow) return op.flow;
  const { url, method, headers, body } = op.load();
  return async (slot, http) => {
    const answer = await http(Array.isArray(url) ? url[0]! : url, { method, headers, body: typeof body === 'function' ? body(slot) : body });
    return answer.status >= 200 && answer.status < 300;
  };
}

/** Runs `count` flows over CONCURRENCY keep-alive loops; answers flows/s and failures. */
async function flows(c: Contender, count: number): Promise<{ perSecond: number; failed: number }> {
  const flow = flowOf(c);
  let started = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, slot) => {
      const http = httpClient();
      while (started < count) {
        started++;
        if (!(await flow(slot, http).catch(() => false))) failed++;
      }
    }),
  );
  return { perSecond: count / (Number(process.hrtime.bigint() - t0) / 1e9), failed };
}

/** Waits until the system's processes stop spending CPU (the workers relay after the answers). */
async function settled(c: Contender): Promise<void> {
  let last = Object.values(c.pids).reduce((n, p) => n + cpuMs(p), 0);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = Object.values(c.pids).reduce((n, p) => n + cpuMs(p), 0);
    if (now - last <= 20) return;
    last = now;
  }
}

async function measure(c: Contender): Promise<Record<string, number>> {
  await settled(c);
  const before = sharedCpu(c.pids);
  const { perSecond, failed } = await flows(c, FLOWS);
  await settled(c);
  const used = spent(before, sharedCpu(c.pids));
  if (failed) process.stderr.write(`  ${c.name}: ${failed} failed flows\n`);
  const perFlow = Object.fromEntries(Object.entries(used).map(([role, ms]) => [role, ms / FLOWS]));
  const total = Object.entries(perFlow).filter(([role]) => role !== 'postgresql (other)').reduce((n, [, ms]) => n + ms, 0);
  return { ...perFlow, 'total without postgresql (other)': total, 'flows/s': perSecond };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
process.stderr.write(`load average before: ${load()}\n`);
// BENCH_CODE_FLOW_PEER=0: Plinto alone (e.g. comparing two checkouts with BENCH_PLINTO_ROOT).
const contenders = [await startPlinto(CONCURRENCY), ...(process.env.BENCH_CODE_FLOW_PEER === '0' ? [] : [await startOidcProvider('jwt', 'redis')])];
try {
  for (const c of contenders) await flows(c, WARM_UP);
  const results = new Map<string, Record<string, number>[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of round % 2 ? [...contenders].reverse() : contenders) results.set(c.name, [...(results.get(c.name) ?? []), await measure(c)]);
  }
  console.log(`\nCPU ms per ${OPERATION} (${FLOWS} flows per round, ${ROUNDS} rounds, concurrency ${CONCURRENCY}); load average after: ${load()}`);
  for (const [name, rounds] of results) {
    const keys = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
    console.log(`${name}: ${keys.map((k) => `${k} ${rounds.map((r) => (r[k] ?? 0).toFixed(2)).join(' / ')}`).join('; ')}`);
  }
} finally {
  await Promise.all(contenders.map((c) => c.stop()));
}
