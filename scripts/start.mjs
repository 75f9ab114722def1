// `npm start` (api + workers), `npm run start:api`, `npm run start:workers`: the development mode.
// Runs on Node 24 (installed into the project when the machine's Node is older), installs what is
// missing, checks PostgreSQL and Redis, migrates, then runs the processes from their TypeScript
// source. `--compiled` (`pnpm start:prod`) runs the output of `pnpm build` instead: no install, no
// service start, no compiler — what production runs.
//
// Lifecycle: SIGTERM/SIGINT/SIGHUP are forwarded to the processes, which finish their in-flight
// work and exit; this script exits when they have. Nothing outlives it: each process also stops
// when this script's IPC channel closes (it was killed outright), and this script stops everything
// when whoever started it (npm, a shell) is gone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runOnSupportedNode } from './lib/node-runtime.mjs';

await runOnSupportedNode(import.meta.url);

const { ROOT, ensureDependencies, ensureServices } = await import('./lib/setup.mjs');
const { apiThreadPoolEnv } = await import('./lib/threadpool.mjs');
const { ensureWebAppsBuilt } = await import('./lib/web-build.mjs');

const args = process.argv.slice(2);
const compiled = args.includes('--compiled');
const which = args.find((a) => !a.startsWith('--')) ?? 'all';
if (!['all', 'api', 'workers'].includes(which)) {
  console.error('usage: node scripts/start.mjs [all|api|workers] [--compiled]');
  process.exit(2);
}

/** How to run an entry point: its bundle (`pnpm build`) or its TypeScript source through tsx. */
const entryArgs = (name) => (compiled ? ['--enable-source-maps', `${ROOT}${DIST[name]}`] : ['--import', 'tsx', `${ROOT}${SOURCE[name]}`]);
const SOURCE = { api: 'api/src/main.ts', workers: 'workers/src/main.ts', migrate: 'api/src/cli/migrate.ts' };
const DIST = { api: 'api/dist/main.js', workers: 'workers/dist/main.js', migrate: 'api/dist/migrate.js' };

if (compiled) {
  const missing = Object.values(DIST).filter((file) => !existsSync(`${ROOT}${file}`));
  if (missing.length > 0) {
    console.error(`Not built (${missing.join(', ')} missing): run \`pnpm build\` first.`);
    process.exit(1);
  }
} else {
  ensureDependencies();
  // The api serves the hosted pages and the admin console as built files.
  ensureWebAppsBuilt();
  try {
    await ensureServices();
  } catch (error) {
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}

const migrated = spawnSync(process.execPath, entryArgs('migrate'), { cwd: ROOT, stdio: 'inherit' });
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const entries = which === 'all' ? ['api', 'workers'] : [which];
const envOf = (name) => (name === 'api' ? { ...process.env, ...apiThreadPoolEnv() } : process.env);
// `ipc`: a process whose channel closes (this script died) stops by itself (kernel runProcess).
const children = entries.map((name) =>
  spawn(process.execPath, entryArgs(name), { cwd: ROOT, stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: envOf(name) }),
);

let stopping = false;
const stop = (signal) => {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(signal));

// Whoever started us (npm, a shell, a supervisor) is gone: we were re-parented. Stop too.
const parent = process.ppid;
const orphanCheck = setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500);
orphanCheck.unref();
// Started by the Node 20 wrapper (lib/node-runtime.mjs) and it was killed outright.
process.on('disconnect', () => stop('SIGTERM'));

let worst = 0;
await Promise.all(
  children.map(
    (child, i) =>
      new Promise((resolve) =>
        child.on('exit', (code) => {
          worst = Math.max(worst, code ?? 1);
          // One process dying on its own takes the other down too: a half-running Plinto is worse.
          if (!stopping) {
            console.error(`${entries[i]} exited (${code}); stopping the rest`);
            stop('SIGTERM');
          }
          resolve();
        }),
      ),
  ),
);
process.exit(worst);
