// Builds the hosted pages (web/pages → web/pages/dist, Vite) when the build is missing or older
// than any of its sources. `npm test` (the vitest global setup) and `npm start` call it, so a fresh
// clone serves its pages without a separate step; `pnpm build` builds it too (turbo). Run directly:
// `node scripts/lib/pages-build.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = join(ROOT, 'web/pages');
const BUILT = join(APP, 'dist/index.html');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export function pagesStale() {
  if (!existsSync(BUILT)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(APP, p)).filter(existsSync);
  return Math.max(...sources.map(newest)) > statSync(BUILT).mtimeMs;
}

export function ensurePagesBuilt() {
  if (!pagesStale()) return;
  console.log('> building the hosted pages (web/pages, vite build)');
  const built = spawnSync('pnpm', ['--filter', '@plinto/web-pages', 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) throw new Error('building the hosted pages (web/pages) failed');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensurePagesBuilt();
