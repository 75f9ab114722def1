import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createOrm, dropDatabase, ensureDatabase, migrate, createLogger } from '@plinto/kernel';
import { platformSchema } from '@plinto/api';
import { ensureWebAppsBuilt } from '../../scripts/lib/web-build.mjs';

/**
 * Once per test run:
 * - a template database with every migration applied; each test file clones it (CREATE DATABASE
 *   ... TEMPLATE), which takes milliseconds instead of re-migrating. The name is unique per run.
 * - a Redis server of the run's own (redis-server on a free loopback port, nothing persisted), so
 *   tests never write to the machine's Redis; each file still uses its own key prefix in it.
 *   PLINTO_TEST_REDIS_URL names another Redis instead (e.g. where redis-server is not installed).
 * - bundles of the api and workers (scripts/build.mjs, the production build) in a folder of the
 *   run's own, which tests fork as processes: Node loads one file instead of compiling hundreds of
 *   TypeScript modules through tsx at every start (about half the CPU of a start).
 */
// Not from @plinto/kernel/testing: it needs PLINTO_TEST_REDIS_URL, which this sets.
const BASE_DATABASE_URL = process.env.PLINTO_TEST_DATABASE_BASE ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const uniqueSuffix = () => randomBytes(5).toString('hex');
function databaseUrl(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  // The api serves web/pages and web/console as built files: build them when missing or stale.
  ensureWebAppsBuilt();
  const name = `plinto_tpl_${uniqueSuffix()}`;
  const url = databaseUrl(name);
  await ensureDatabase(url);
  const orm = await createOrm({ DATABASE_URL: url, DB_POOL_MAX: 2, DB_DEBUG: false }, platformSchema, createLogger({ LOG_LEVEL: 'silent' }, 'test'));
  await migrate(orm, url);
  await orm.close();
  process.env.PLINTO_TEST_TEMPLATE_DB = name;
  const redis = process.env.PLINTO_TEST_REDIS_URL ? null : await startRunRedis();
  if (redis) process.env.PLINTO_TEST_REDIS_URL = redis.url;
  const bundles = await buildProcessBundles(`run-${uniqueSuffix()}`);
  return async () => {
    await dropDatabase(url);
    await redis?.stop();
    bundles.remove();
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `<package>/.test-build/<run>/dist/`: inside the package, so the bundle finds its node_modules. */
async function buildProcessBundles(run: string): Promise<{ remove(): void }> {
  const dirs = ['api', 'workers'].map((entry) => ({ entry, dir: `${ROOT}${entry}/.test-build/${run}` }));
  const remove = () =>
    dirs.forEach(({ dir }) => {
      rmSync(dir, { recursive: true, force: true });
      // .test-build itself too, unless another run's bundles are still in it.
      if (existsSync(dirname(dir)) && readdirSync(dirname(dir)).length === 0) rmSync(dirname(dir), { recursive: true, force: true });
    });
  try {
    await Promise.all(dirs.map(({ entry, dir }) => new Promise<void>((resolve, reject) => {
      let output = '';
      const build = spawn(process.execPath, [`${ROOT}scripts/build.mjs`, entry, '--outdir', `${dir}/dist`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      build.stdout!.on('data', (chunk) => (output += chunk));
      build.stderr!.on('data', (chunk) => (output += chunk));
      build.once('error', reject);
      build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the ${entry} bundle for the tests failed:\n${output}`))));
    })));
  } catch (error) {
    remove();
    throw error;
  }
  process.env.PLINTO_TEST_BUNDLES = run;
  return { remove };
}

async function startRunRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '10000'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => proc.once('error', (error) => reject(new Error(`cannot start redis-server for the tests (${error.message}); set PLINTO_TEST_REDIS_URL`))));
  await Promise.race([
    failed,
    waitFor(async () => {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 'the test run’s redis-server', 15_000),
  ]);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
