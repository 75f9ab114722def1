// Builds the web apps the api serves (web/pages, web/console: each `web/*` with a vite.config.ts)
// when their `dist/index.html` is missing or older than their sources. One mechanism for
// `npm start` (development) and the test run's global setup, so both always serve the current
// pages and console; a fresh build is skipped in a few milliseconds. `pnpm build` builds them
// for production (with the console's bundle-size budget).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));

/** The newest modification time under `path` (node_modules and dist skipped). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

export function ensureWebAppsBuilt() {
  if (!existsSync(WEB)) return;
  for (const app of readdirSync(WEB)) {
    const dir = join(WEB, app);
    if (!existsSync(join(dir, 'vite.config.ts'))) continue;
    const index = join(dir, 'dist', 'index.html');
    const built = existsSync(index) ? statSync(index).mtimeMs : 0;
    if (built > newest(dir)) continue;
    console.log(`building web/${app} (its build is missing or older than its sources)`);
    const vite = join(dir, 'node_modules', 'vite', 'bin', 'vite.js');
    // The production build whatever NODE_ENV the caller runs under (the test run sets `test`, and
    // Vite would then bundle React's development build: larger and slower in the browser).
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (result.status !== 0) throw new Error(`building web/${app} failed (exit ${result.status}); run \`pnpm --filter ./web/${app} build\` to see why`);
  }
}

// `node scripts/lib/web-build.mjs`: build what is stale now.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureWebAppsBuilt();
