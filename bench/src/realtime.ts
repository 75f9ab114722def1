// Realtime: 10,000 WebSocket subscribers on one api process (the load client in another process),
// events fanned out to all of them — deliveries per second, p50/p99 publish → delivery latency,
// memory per connection — next to a raw `ws` broadcast server doing the same in the same run.
// Both are fed the same way (a Redis publish), so the ratio is the cost of Plinto's per-subscriber
// work: tRPC framing, per-event authorization by the engine, resumable ids, limits.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRedis } from '@plinto/kernel';
import { publishEvent } from '@plinto/realtime';
import { machineLoad } from './peers/machine-load';
import { processCpuMicros } from './proc-cpu';
import { BENCH_PLATFORM_KEY, REPO_ROOT, startApiProcess } from './processes';
import type { Benchmark, BenchRow } from './types';

/**
 * The load client and the raw baseline are this bench's own, even when BENCH_PLINTO_ROOT runs
 * another checkout's api: a before/after comparison then measures the servers with one client.
 */
export const LOAD_CLIENT = fileURLToPath(new URL('./servers/realtime-load.ts', import.meta.url));
const RAW_SERVER = fileURLToPath(new URL('./servers/raw-ws-broadcast.ts', import.meta.url));
export const SUBSCRIBERS = Number(process.env.BENCH_REALTIME_SUBSCRIBERS ?? 10_000);
// 100 events one at a time per round: the p99 is over every delivery, and with 20 events one event
// caught by a scheduling hiccup was 5% of all deliveries and set the p99 by itself.
const LATENCY_EVENTS = Number(process.env.BENCH_REALTIME_LATENCY_EVENTS ?? 100);
const BURST_EVENTS = Number(process.env.BENCH_REALTIME_BURST_EVENTS ?? 20);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'plinto_bench';
const RAW_CHANNEL = 'plinto_bench_raw';
const ROUNDS = Number(process.env.BENCH_REALTIME_ROUNDS ?? 2);
const SETTLE_MS = 120_000;

const progress = (what: string) => void process.stderr.write(`  realtime: ${what}\n`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process spoken to over IPC: `ask` sends a command and waits for the reply of `replyType`. */
export function child(path: string, env: Record<string, string> = {}) {
  const proc: ChildProcess = fork(path, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const first = new Promise<any>((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`${path} exited with ${code}`)));
  });
  const ask = <T>(command: object, replyType: string) =>
    new Promise<T>((resolve) => {
      const on = (message: any) => {
        if (message?.type !== replyType) return;
        proc.off('message', on);
        resolve(message as T);
      };
      proc.on('message', on);
      proc.send(command);
    });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let stopping = false;
  proc.once('exit', (code, signal) => {
    if (!stopping) progress(`${path} exited with ${code ?? signal}`);
  });
  return { pid: proc.pid!, first, ask, stop: async () => ((stopping = true), proc.kill('SIGTERM'), await exited) };
}

async function apiRss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

interface Side {
  name: string;
  /** The server's process id: its CPU time per delivery is read from /proc. */
  pid: number;
  connect(load: Child): Promise<void>;
  publish(seq: number): Promise<void>;
  rss(): Promise<number>;
}

type Child = ReturnType<typeof child>;

/** Latencies as a histogram: [milliseconds, how many] pairs (the load client counts, it keeps no list). */
type Latencies = [number, number][];

interface Figures {
  deliveriesPerSecond: number;
  latencies: Latencies;
  bytesPerConnection: number;
  /** The server's CPU time (user + system) per delivery, over both phases, in microseconds. */
  cpuMicrosPerDelivery: number;
}

/** The p-th percentile of a histogram (pairs in any order). */
function percentile(latencies: Latencies, p: number): number {
  const sorted = [...latencies].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 0;
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const [ms, n] of sorted) if ((seen += n) > rank) return ms;
  return sorted.at(-1)![0];
}

/** One round against one side: connect every subscriber, one event at a time (latency), then a burst (throughput). */
async function measure(side: Side, seq: { next: number }): Promise<Figures> {
  const load = child(LOAD_CLIENT);
  await load.first;
  try {
    const before = await side.rss();
    progress(`${side.name}: connecting ${SUBSCRIBERS}`);
    await side.connect(load);
    await sleep(2000); // let the heap settle after the connection storm
    const after = await side.rss();
    progress(`${side.name}: connected, ${((after - before) / SUBSCRIBERS / 1024).toFixed(1)} KiB RSS per connection`);
    const settle = async (expected: number) => {
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        const got = await load.ask<{ count: number; lastArrival: number }>({ type: 'count' }, 'counted');
        if (got.count >= expected) return got;
        if (Date.now() > deadline || process.env.BENCH_REALTIME_DEBUG) progress(`settle: ${got.count} of ${expected}`);
        if (Date.now() > deadline) throw new Error(`${side.name}: only ${got.count} of ${expected} deliveries arrived`);
        await sleep(50);
      }
    };
    // Latency: events one at a time, each fanned out to every subscriber before the next.
    await load.ask({ type: 'reset' }, 'reset');
    const cpuBefore = processCpuMicros(side.pid);
    const clientCpuBefore = processCpuMicros(load.pid);
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      await side.publish(seq.next++);
      await settle((i + 1) * SUBSCRIBERS);
    }
    const { latencies } = await load.ask<{ latencies: Latencies }>({ type: 'latencies' }, 'latencies');
    // Throughput: a burst of events, every one to every subscriber.
    await load.ask({ type: 'reset' }, 'reset');
    const start = now();
    for (let i = 0; i < BURST_EVENTS; i++) await side.publish(seq.next++);
    const burst = await settle(BURST_EVENTS * SUBSCRIBERS);
    const deliveries = (LATENCY_EVENTS + BURST_EVENTS) * SUBSCRIBERS;
    const cpuAfter = processCpuMicros(side.pid);
    const clientCpuAfter = processCpuMicros(load.pid);
    const perDelivery = (after: { total: number; system: number }, before: { total: number; system: number }) =>
      `${((after.total - before.total) / deliveries).toFixed(2)} µs (${((after.system - before.system) / deliveries).toFixed(2)} in the kernel)`;
    const figures = {
      deliveriesPerSecond: burst.count / ((burst.lastArrival - start) / 1000),
      latencies,
      bytesPerConnection: (after - before) / SUBSCRIBERS,
      cpuMicrosPerDelivery: (cpuAfter.total - cpuBefore.total) / deliveries,
    };
    progress(
      `${side.name}: ${Math.round(figures.deliveriesPerSecond)} deliveries/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, CPU per delivery: server ${perDelivery(cpuAfter, cpuBefore)}, load client ${perDelivery(clientCpuAfter, clientCpuBefore)}`,
    );
    return figures;
  } finally {
    await load.ask({ type: 'close' }, 'closed');
    await load.stop();
    await sleep(1000); // the server notices the closes before the next round
  }
}

/** The real api process with a tenant and an admin API key (its connection limits raised for the bench). */
export async function plintoSide(): Promise<Side & { stop(): Promise<void> }> {
  const api = await startApiProcess({
    REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: String(SUBSCRIBERS * 2),
    REALTIME_MAX_CONNECTIONS_PER_TENANT: String(SUBSCRIBERS * 2),
    REDIS_URL,
  });
  const url = `http://127.0.0.1:${api.message.port}`;
  const redis = createRedis(REDIS_URL, 'worker', 'bench-realtime');
  const rest = (method: string, path: string, body?: unknown, tenant?: string) =>
    fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'content-type': 'application/json', ...(tenant ? { 'x-plinto-tenant': tenant } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const slug = `bench-rt-${Date.now().toString(36)}`;
  const created = async <T>(res: Promise<Response>): Promise<T> => {
    const answer = await res;
    if (answer.status !== 201) throw new Error(`bench setup failed: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  };
  const tenant = await created<{ id: string }>(rest('POST', '/v1/tenants', { slug, name: slug }));
  const key = await created<{ key: string }>(rest('POST', '/v1/api-keys', { name: 'realtime bench', role: 'admin' }, slug));
  return {
    name: 'plinto',
    pid: api.pid,
    connect: async (load) => {
      const connected = await load.ask<{ open: number; ready: number; failures: number }>({ type: 'connect', url: url.replace('http', 'ws'), count: SUBSCRIBERS, protocol: 'trpc', token: key.key }, 'connected');
      if (connected.open !== SUBSCRIBERS || connected.ready !== SUBSCRIBERS) throw new Error(`only ${connected.open} of ${SUBSCRIBERS} subscribers connected, ${connected.ready} ready (${connected.failures} failed)`);
    },
    // As the workers' realtime publisher does it: append to the tenant's log and publish, one script.
    publish: async (seq) => {
      await publishEvent(redis, PREFIX, { historyLength: 10_000, historySeconds: 600 }, {
        eventId: crypto.randomUUID(),
        action: 'bench.pinged',
        tenantId: tenant.id,
        organizationId: null,
        actor: { type: 'system', id: null },
        target: { type: 'tenant', id: tenant.id },
        data: { seq, sentAt: now() },
        occurredAt: new Date().toISOString(),
      });
    },
    rss: () => apiRss(url),
    stop: async () => {
      redis.disconnect();
      await api.stop();
    },
  };
}

async function rawSide(): Promise<Side & { stop(): Promise<void> }> {
  const server = child(RAW_SERVER, { REDIS_URL, RAW_CHANNEL });
  const { port } = (await server.first) as { port: number };
  const redis = createRedis(REDIS_URL, 'worker', 'bench-realtime-raw');
  return {
    name: 'raw ws',
    pid: server.pid,
    connect: async (load) => {
      const connected = await load.ask<{ open: number }>({ type: 'connect', url: `ws://127.0.0.1:${port}`, count: SUBSCRIBERS, protocol: 'raw' }, 'connected');
      if (connected.open !== SUBSCRIBERS) throw new Error(`only ${connected.open} raw subscribers connected`);
    },
    // The same payload (the webhook body), without the log, the envelope or the authorization.
    publish: async (seq) => {
      const at = now();
      await redis.publish(RAW_CHANNEL, JSON.stringify({ id: crypto.randomUUID(), type: 'bench.pinged', timestamp: new Date().toISOString(), tenantId: null, organizationId: null, actor: { type: 'system', id: null }, target: null, data: { seq, sentAt: at } }));
    },
    rss: async () => (await server.ask<{ rss: number }>({ type: 'rss' }, 'rss')).rss,
    stop: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
};

export const benchmarks: Benchmark[] = [
  {
    name: 'realtime',
    async run(): Promise<BenchRow[]> {
      const loadBefore = await machineLoad();
      const ours = await plintoSide();
      const base = await rawSide();
      const seq = { next: 0 };
      const results: { ours: Figures; base: Figures }[] = [];
      try {
        // Interleaved rounds (alternating which side goes first), so a busy spell of the machine hits both.
        for (let round = 0; round < ROUNDS; round++) {
          progress(`round ${round + 1} of ${ROUNDS}`);
          const order = round % 2 ? [base, ours] : [ours, base];
          const got = new Map<Side, Figures>();
          for (const side of order) got.set(side, await measure(side, seq));
          results.push({ ours: got.get(ours)!, base: got.get(base)! });
        }
      } finally {
        await ours.stop();
        await base.stop();
      }
      const loadAfter = await machineLoad();
      const all = (pick: (r: (typeof results)[number]) => Figures) => results.flatMap((r) => pick(r).latencies);
      const ourLatencies = all((r) => r.ours);
      const baseLatencies = all((r) => r.base);
      const per = (pick: (f: Figures) => number) => ({ ours: median(results.map((r) => pick(r.ours))), base: median(results.map((r) => pick(r.base))) });
      const rate = per((f) => f.deliveriesPerSecond);
      // RSS per connection from each side's first round only: its process is fresh then, while later
      // rounds reuse memory the first one's connections made the process take (seen: 31.7 then 2.9 KiB).
      const memory = { ours: results[0]!.ours.bytesPerConnection, base: results[0]!.base.bytesPerConnection };
      const cpu = per((f) => f.cpuMicrosPerDelivery);
      const note = `${SUBSCRIBERS.toLocaleString('en-US')} WebSocket subscribers on one api process, load client in another; median of ${ROUNDS} interleaved rounds`;
      process.stderr.write(`  realtime: machine before: ${loadBefore}\n  realtime: machine after:  ${loadAfter}\n`);
      return [
        { name: 'deliveries per second (burst fan-out)', figure: rate.ours, baselineName: 'raw ws broadcast', baseline: rate.base, ratio: median(results.map((r) => r.ours.deliveriesPerSecond / r.base.deliveriesPerSecond)), unit: 'deliveries/s', higherIsBetter: true, goal: '>= 0.50', note },
        { name: 'publish → delivered, p50', figure: percentile(ourLatencies, 50), baselineName: 'raw ws broadcast', baseline: percentile(baseLatencies, 50), unit: 'ms', higherIsBetter: false, note: `${LATENCY_EVENTS} events one at a time per round` },
        { name: 'publish → delivered, p99', figure: percentile(ourLatencies, 99), baselineName: 'raw ws broadcast', baseline: percentile(baseLatencies, 99), unit: 'ms', higherIsBetter: false, goal: 'p99 <= 250 ms', note: `machine before: ${loadBefore}` },
        { name: 'server CPU time per delivery', figure: cpu.ours, baselineName: 'raw ws broadcast', baseline: cpu.base, unit: 'µs', higherIsBetter: false, note: 'user + system, both phases, from /proc (less sensitive to load than the rates)' },
        { name: 'memory per connection (RSS)', figure: memory.ours / 1024, baselineName: 'raw ws broadcast', baseline: memory.base / 1024, unit: 'KiB', higherIsBetter: false, note: `one subscription each, first round (a fresh process); machine after: ${loadAfter}` },
      ];
    },
  },
];
