import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { waitFor } from '@plinto/kernel/testing';
import { onCleanup } from './harness';
import { apiThreadPoolEnv } from '../../scripts/lib/threadpool.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildApp {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * How the tests start the api or the workers as a process: the production bundle of this test run
 * (built from the current sources by the global setup, as `pnpm build` does; `pnpm start:prod`
 * runs the same), so a start does not compile the TypeScript through tsx. `npm start` from source
 * is tested as such in test/e2e/lifecycle-start.test.ts.
 */
export function appEntry(entry: 'api' | 'workers'): { file: string; execArgv: string[] } {
  const run = process.env.PLINTO_TEST_BUNDLES;
  if (!run) throw new Error('PLINTO_TEST_BUNDLES is not set: run tests through vitest (its global setup builds the bundles)');
  return { file: `${REPO_ROOT}${entry}/.test-build/${run}/dist/main.js`, execArgv: ['--enable-source-maps'] };
}

/**
 * Runs the api or the workers as a real OS process (see appEntry), and resolves once it reports
 * ready over IPC.
 */
export async function forkApp(entry: 'api' | 'workers', env: Record<string, string>): Promise<ChildApp & { ready: any }> {
  let output = '';
  const { file, execArgv } = appEntry(entry);
  const child = fork(file, [], {
    cwd: REPO_ROOT,
    execArgv,
    // The api as `npm start` starts it: libuv's pool sized for the password hashes.
    // WORKERS_METRICS_PORT=0: test files run in parallel, each workers process on a free port.
    env: { ...process.env, WORKERS_METRICS_PORT: '0', ...(entry === 'api' ? apiThreadPoolEnv({ ...process.env, ...env }) : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const ready = await new Promise<any>((resolve, reject) => {
    child.once('message', resolve);
    exited.then((code) => reject(new Error(`${entry} exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, ready, output: () => output, exited };
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A Redis server of this test's own on a free port, which the test may stop and start again
 * (the shared Redis other test files use is never touched).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(async () => {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, `redis-server on ${port}`);
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc!.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  onCleanup(stop);
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}
