import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = join(ROOT, 'web');

/** The newest modification time under `path` (files and folders, node_modules and dist skipped). */
function newest(path: string): number {
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

/**
 * Builds each web app (`web/*` with a vite.config.ts) whose `dist/index.html` is missing or older
 * than its sources, so tests always drive the current pages and console — the api serves the
 * built files. Run once by the vitest global setup; a fresh build is skipped (a few ms).
 */
export function ensureWebAppsBuilt(): void {
  if (!existsSync(WEB)) return;
  for (const app of readdirSync(WEB)) {
    const dir = join(WEB, app);
    if (!existsSync(join(dir, 'vite.config.ts'))) continue;
    const built = existsSync(join(dir, 'dist', 'index.html')) ? statSync(join(dir, 'dist', 'index.html')).mtimeMs : 0;
    if (built > newest(dir)) continue;
    const vite = join(dir, 'node_modules', 'vite', 'bin', 'vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`building web/${app} failed (exit ${result.status}); run \`pnpm --filter ./web/${app} build\` to see why`);
  }
}
