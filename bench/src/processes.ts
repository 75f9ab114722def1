import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apiThreadPoolEnv } from '../../scripts/lib/threadpool.mjs';

/** The checkout whose servers run; BENCH_PLINTO_ROOT (ending in /) runs another one's, e.g. the commit before a change. */
export const REPO_ROOT = process.env.BENCH_PLINTO_ROOT ?? fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  port: number;
  /** The server's process id (e.g. for its CPU time from /proc). */
  pid: number;
  message: any;
  stop(): Promise<void>;
}

/** Runs a server in its own process (so it does not share the load generator's event loop). */
export async function startServerProcess(path: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child: ChildProcess = fork(path, [], {
    cwd: REPO_ROOT,
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there (for tuning).
    execArgv: [...(path.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const message = await new Promise<any>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${path} exited with ${code}`)));
  });
  return {
    port: message.port,
    pid: child.pid!,
    message,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The real api process against the bench database (created and migrated on first start). */
export function startApiProcess(env: Record<string, string> = {}) {
  return startServerProcess(`${REPO_ROOT}api/src/main.ts`, {
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plinto_bench',
    QUEUE_PREFIX: 'plinto_bench',
    PORT: '0',
    WORKERS_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    PLINTO_BOOTSTRAP_API_KEY: BENCH_PLATFORM_KEY,
    // One master key for every bench process: they share the bench database's sealed signing keys.
    PLINTO_MASTER_KEY: BENCH_MASTER_KEY,
    // As `npm start` starts it: libuv's pool sized for the hashes.
    ...apiThreadPoolEnv({ ...process.env, ...env }),
    ...env,
  });
}

export const BENCH_PLATFORM_KEY = 'plk_bench_0123456789abcdefghijklmnopqrstuvwxyz';

export const BENCH_MASTER_KEY = 'b'.repeat(64);
