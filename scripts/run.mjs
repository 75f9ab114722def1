// `node scripts/run.mjs <command> [args...]`: runs a command of the project (tsx, tsc, eslint,
// esbuild...) on Node 24, installing it first when the machine's Node is older (see
// lib/node-runtime.mjs). The package.json scripts go through it so `pnpm <script>` works on a
// machine whose own Node is 20.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { nodeEnv, runOnSupportedNode } from './lib/node-runtime.mjs';

await runOnSupportedNode(import.meta.url);
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/run.mjs <command> [args...]');
  process.exit(2);
}
const child = spawn(command, args, { stdio: 'inherit', env: nodeEnv() });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.exitCode === null && child.kill(signal));
child.once('error', (error) => {
  console.error(`${command}: ${error.message}`);
  process.exit(127);
});
// A child killed by a signal exits as a shell reports it: 128 + that signal's number (143 SIGTERM,
// 137 SIGKILL — the OOM killer's), so an exit code tells which signal it was.
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1)));
