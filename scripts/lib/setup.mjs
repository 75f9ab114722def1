// Plain Node (no dependencies): runs before `pnpm install` on a fresh clone.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PNPM_VERSION = '10.34.9';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd) => execSync(cmd, { cwd: ROOT, stdio: 'inherit' });

/** pnpm and the locked dependencies, installed only when missing or stale. */
export function ensureDependencies() {
  if (!has('pnpm')) {
    console.log(`> installing pnpm ${PNPM_VERSION}`);
    run(`npm install -g pnpm@${PNPM_VERSION}`);
  }
  const marker = `${ROOT}node_modules/.modules.yaml`;
  const stale = !existsSync(marker) || statSync(`${ROOT}pnpm-lock.yaml`).mtimeMs > statSync(marker).mtimeMs;
  if (stale) {
    console.log('> installing dependencies (pnpm install --frozen-lockfile)');
    run('pnpm install --frozen-lockfile');
  }
}

function reachable(host, port, probe) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1500 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
    socket.once('connect', () => {
      if (!probe) return done(true);
      socket.write(probe.send);
      socket.once('data', (data) => done(data.toString().startsWith(probe.expect)));
    });
  });
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

async function ensureService({ name, url, defaultPort, probe, startCommand }) {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || defaultPort);
  if (await reachable(host, port, probe)) return;
  if (isLocal(host) && startCommand()) {
    console.log(`> ${name} is not answering on ${host}:${port}; starting it`);
    try {
      execSync(startCommand(), { stdio: 'inherit', shell: '/bin/bash' });
    } catch {
      // reported below
    }
    for (let i = 0; i < 40; i++) {
      if (await reachable(host, port, probe)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `${name} is not reachable at ${host}:${port}. Start it (or set ${name === 'PostgreSQL' ? 'DATABASE_URL' : 'REDIS_URL'} to a running one) and try again.`,
  );
}

function postgresStartCommand() {
  if (!existsSync('/etc/postgresql')) return null;
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0 || !has('pg_ctlcluster')) return null;
  return `pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start`;
}

/** PostgreSQL and Redis, started on this machine if they are local and down; a clear error otherwise. */
export async function ensureServices(env = process.env) {
  await ensureService({
    name: 'PostgreSQL',
    url: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/plinto',
    defaultPort: 5432,
    startCommand: postgresStartCommand,
  });
  await ensureService({
    name: 'Redis',
    url: env.REDIS_URL || 'redis://127.0.0.1:6379',
    defaultPort: 6379,
    probe: { send: 'PING\r\n', expect: '+PONG' },
    startCommand: () =>
      has('redis-server') ? 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no' : null,
  });
}
