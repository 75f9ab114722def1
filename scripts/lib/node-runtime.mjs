// Plain Node (no dependencies, runs on the machine's Node 20): Plinto runs on Node 24 LTS. When the
// machine's Node is older, the Node 24 binary is taken from the npm registry's `node-<os>-<cpu>`
// package (the only download these machines may make) into a folder of the project, and every
// script re-runs itself under it with that folder first on PATH, so every child — pnpm, tsx,
// vitest, the api and the workers — runs on Node 24 too.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
/** The oldest Node that Plinto runs on (package.json `engines` says the same). */
export const MIN_NODE = [24, 11];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNTIME_DIR = join(ROOT, '.plinto', `node-v${NODE_VERSION}`);

export function isSupported(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The folder of a Node binary Plinto can run on: this one's, else the project's own (installed once). */
export function nodeBinDir() {
  if (isSupported()) return dirname(process.execPath);
  const binDir = join(RUNTIME_DIR, 'bin');
  if (existsSync(join(binDir, 'node'))) return binDir;
  installNode();
  return binDir;
}

function installNode() {
  const cpu = { x64: 'x64', arm64: 'arm64' }[process.arch];
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  if (!cpu || !os) throw new Error(`Node ${NODE_VERSION} is needed; install it yourself (no registry package for ${process.platform}-${process.arch})`);
  const pkg = `node-${os}-${cpu}@${NODE_VERSION}`;
  // stderr: `--bin-dir` prints the folder alone on stdout.
  console.error(`> Node ${process.versions.node} is older than Plinto needs: installing Node ${NODE_VERSION} (${pkg}) into ${RUNTIME_DIR}`);
  const work = mkdtempSync(join(tmpdir(), 'plinto-node-'));
  try {
    // `npm pack` checks the tarball's integrity against the registry; only bin/node is kept.
    const file = execFileSync('npm', ['pack', pkg, '--pack-destination', work, '--silent'], { cwd: work, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(work, file), '-C', work, 'package/bin/node']);
    const node = join(work, 'package', 'bin', 'node');
    chmodSync(node, 0o755);
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${NODE_VERSION}`) throw new Error(`${pkg} reports ${version}`);
    mkdirSync(RUNTIME_DIR, { recursive: true });
    // Atomic: a second script installing at the same time finds either nothing or a whole binary.
    mkdirSync(join(work, 'staged'));
    renameSync(join(work, 'package', 'bin'), join(work, 'staged', 'bin'));
    try {
      renameSync(join(work, 'staged', 'bin'), join(RUNTIME_DIR, 'bin'));
    } catch (error) {
      if (!existsSync(join(RUNTIME_DIR, 'bin', 'node'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The environment of a child that must run on Node 24: its folder first on PATH. */
export function nodeEnv(env = process.env) {
  const dir = nodeBinDir();
  const path = env.PATH ?? '';
  return path.split(delimiter)[0] === dir ? { ...env } : { ...env, PATH: `${dir}${delimiter}${path}` };
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Call first in a script: on a supported Node it returns at once; on an older one it runs the same
 * script under Node 24 and never returns — it forwards signals to it, exits with its exit code,
 * and (through the IPC channel) lets it notice if this process is killed outright.
 */
export async function runOnSupportedNode(scriptUrl) {
  if (isSupported()) return;
  const env = nodeEnv();
  const child = spawn(join(nodeBinDir(), 'node'), [fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env,
  });
  for (const signal of SIGNALS) process.on(signal, () => child.exitCode === null && child.kill(signal));
  // Whoever started us is gone (we were re-parented): stop the child too, leaving nothing behind.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && child.exitCode === null && child.kill('SIGTERM'), 500).unref();
  const code = await new Promise((resolve) =>
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15))),
  );
  process.exit(code);
}

// `node scripts/lib/node-runtime.mjs --bin-dir`: prints the folder to put first on PATH (for .ci/run).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === '--bin-dir') {
  process.stdout.write(`${nodeBinDir()}\n`);
}
