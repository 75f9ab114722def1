// `npm test` / `pnpm test`: runs on Node 24 (installed into the project when the machine's Node is
// older), installs what is missing, makes sure PostgreSQL and Redis answer, runs the whole suite
// (vitest). Extra arguments go to vitest, e.g. `pnpm test --project e2e`.
import { spawn } from 'node:child_process';
import { runOnSupportedNode } from './lib/node-runtime.mjs';

await runOnSupportedNode(import.meta.url);
const { ROOT, ensureDependencies, ensureServices } = await import('./lib/setup.mjs');

ensureDependencies();
try {
  await ensureServices();
} catch (error) {
  console.error(`\n${error.message}\n`);
  process.exit(1);
}
const child = spawn('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.exitCode === null && child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 143 : 1)));
