// `npm start` (api + workers), `npm run start:api`, `npm run start:workers`.
// Installs what is missing, checks PostgreSQL and Redis, migrates, then runs the processes and
// forwards SIGTERM/SIGINT to them (each finishes its in-flight work before exiting).
import { spawn, spawnSync } from 'node:child_process';
import { ROOT, ensureDependencies, ensureServices } from './lib/setup.mjs';
import { apiThreadPoolEnv } from './lib/threadpool.mjs';

const which = process.argv[2] ?? 'all';
if (!['all', 'api', 'workers'].includes(which)) {
  console.error('usage: node scripts/start.mjs [all|api|workers]');
  process.exit(2);
}

ensureDependencies();
try {
  await ensureServices();
} catch (error) {
  console.error(`\n${error.message}\n`);
  process.exit(1);
}

const tsx = (entry) => ['exec', 'tsx', entry];
const migrated = spawnSync('pnpm', tsx('api/src/cli/migrate.ts'), { cwd: ROOT, stdio: 'inherit' });
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const entries = which === 'all' ? ['api', 'workers'] : [which];
const envOf = (name) => (name === 'api' ? { ...process.env, ...apiThreadPoolEnv() } : process.env);
const children = entries.map((name) => spawn('pnpm', tsx(`${name}/src/main.ts`), { cwd: ROOT, stdio: 'inherit', env: envOf(name) }));

let stopping = false;
const stop = (signal) => {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

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
