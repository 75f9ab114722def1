// `pnpm bench:compare <other checkout> [this checkout]`: the protected no-op (`GET /v1/policies/version`) and the
// evaluate endpoint of this checkout against another checkout of Plinto (e.g. the commit before a
// change), both api processes started the same way on the same Node, same machine, same run,
// interleaved in alternating rounds so drifting load hits both alike. Reports throughput and the
// api process's CPU time per request (from /proc), the figure least disturbed by a busy machine.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runLoad } from '../load';
import { BENCH_MASTER_KEY, BENCH_PLATFORM_KEY, REPO_ROOT } from '../processes';
import { processCpuMicros } from '../proc-cpu';

const other = process.argv[2];
if (!other) throw new Error('usage: pnpm bench:compare <other checkout> [this checkout, default: this repository]');
const mine = resolve(process.argv[3] ?? REPO_ROOT);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ONLY = process.env.BENCH_ONLY as 'version' | 'evaluate' | undefined;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2500);

interface Api {
  name: string;
  pid: number;
  base: string;
  stop(): Promise<void>;
}

async function startApi(name: string, root: string, database: string): Promise<Api> {
  const child: ChildProcess = fork(resolve(root, 'api/src/main.ts'), [], {
    cwd: root,
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each api process (for finding where a difference goes).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF, name.replace(/ /g, '-'))}`] : [])],
    env: {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      QUEUE_PREFIX: database,
      PORT: '0',
      LOG_LEVEL: 'error',
      PLINTO_BOOTSTRAP_API_KEY: BENCH_PLATFORM_KEY,
      PLINTO_MASTER_KEY: BENCH_MASTER_KEY,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = await new Promise<{ port: number }>((done, fail) => {
    child.once('message', done);
    child.once('exit', (code) => fail(new Error(`${name} api exited with ${code}`)));
  });
  return {
    name,
    pid: child.pid!,
    base: `http://127.0.0.1:${ready.port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const cpuMicros = (pid: number) => processCpuMicros(pid).total;

const headers = { authorization: `Bearer ${BENCH_PLATFORM_KEY}`, 'x-plinto-tenant': 'default', 'content-type': 'application/json' };
const evaluateBody = (i: number) => JSON.stringify({ subject: `user:u${i % 50}`, action: i % 2 ? 'invoices:read' : 'users:read', resource: `invoice:${i % 200}` });

async function measure(api: Api, path: 'version' | 'evaluate'): Promise<{ perSecond: number; cpuPerRequest: number; errors: number }> {
  let i = 0;
  const cpuBefore = cpuMicros(api.pid);
  const result =
    path === 'version'
      ? await runLoad({ url: `${api.base}/v1/policies/version`, headers, durationMs: ROUND_MS, concurrency: 16 })
      : await runLoad({ url: `${api.base}/v1/policies/evaluate`, method: 'POST', headers, body: () => evaluateBody(i++), durationMs: ROUND_MS, concurrency: 16 });
  return { perSecond: result.perSecond, cpuPerRequest: (cpuMicros(api.pid) - cpuBefore) / result.requests, errors: result.errors };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const apis = [await startApi('this checkout', mine, 'plinto_compare_this'), await startApi('other checkout', resolve(other), 'plinto_compare_other')];
try {
  for (const api of apis) for (const path of ['version', 'evaluate'] as const) await measure(api, path); // warm-up
  const figures: Record<string, { perSecond: number[]; cpu: number[]; errors: number }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...apis].reverse() : apis;
    for (const path of ['version', 'evaluate'] as const) {
      if (ONLY && path !== ONLY) continue;
      for (const api of order) {
        const m = await measure(api, path);
        const key = `${path}|${api.name}`;
        figures[key] ??= { perSecond: [], cpu: [], errors: 0 };
        figures[key].perSecond.push(m.perSecond);
        figures[key].cpu.push(m.cpuPerRequest);
        figures[key].errors += m.errors;
      }
      // Each round's own ratio, with the load it ran under: a busy machine shows in the spread.
      const ratio = (name: string) => figures[`${path}|${name}`]!.perSecond.at(-1)!;
      const cpu = (name: string) => figures[`${path}|${name}`]!.cpu.at(-1)!;
      console.log(`round ${round + 1} ${path}: req/s ratio ${(ratio('this checkout') / ratio('other checkout')).toFixed(2)}, CPU/req ratio (other ÷ this) ${(cpu('other checkout') / cpu('this checkout')).toFixed(2)}, load ${loadavg()[0]!.toFixed(1)}`);
    }
  }
  console.log(`load average (1/5/15 min) ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  console.log(`\n${ROUNDS} alternating rounds of ${ROUND_MS} ms, concurrency 16; medians. this = ${mine}, other = ${resolve(other)}\n`);
  for (const path of ['version', 'evaluate'] as const) {
    if (ONLY && path !== ONLY) continue;
    const mine = figures[`${path}|this checkout`]!;
    const theirs = figures[`${path}|other checkout`]!;
    const label = path === 'version' ? 'GET /v1/policies/version (protected no-op)' : 'POST /v1/policies/evaluate';
    console.log(`${label}`);
    console.log(`  req/s        this ${median(mine.perSecond).toFixed(0)}  other ${median(theirs.perSecond).toFixed(0)}  ratio ${(median(mine.perSecond) / median(theirs.perSecond)).toFixed(2)}`);
    console.log(`  CPU µs/req   this ${median(mine.cpu).toFixed(0)}  other ${median(theirs.cpu).toFixed(0)}  ratio (other ÷ this) ${(median(theirs.cpu) / median(mine.cpu)).toFixed(2)}`);
    console.log(`  errors       this ${mine.errors}  other ${theirs.errors}`);
  }
} finally {
  for (const api of apis) await api.stop();
}
