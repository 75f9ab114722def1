// `npm test` / `pnpm test`: installs what is missing, makes sure PostgreSQL and Redis answer, runs
// the whole suite (vitest). Extra arguments go to vitest, e.g. `pnpm test --project e2e`.
import { spawnSync } from 'node:child_process';
import { ROOT, ensureDependencies, ensureServices } from './lib/setup.mjs';

ensureDependencies();
try {
  await ensureServices();
} catch (error) {
  console.error(`\n${error.message}\n`);
  process.exit(1);
}
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
