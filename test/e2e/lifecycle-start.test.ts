import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { delimiter } from 'node:path';
import { createTestDatabase, REPO_ROOT, TEST_REDIS_URL, uniqueSuffix, waitFor, onCleanup } from '../src';
import { descendants, isAlive, processesWithEnv } from '../src/process-tree';

/**
 * The README's commands as an operator runs them: `npm start` (development: the machine's npm,
 * Node 24 from the project, TypeScript source) and the production mode (`pnpm build`, then
 * compiled JavaScript). A signal to the command stops everything it started — nothing is left.
 */

/** PATH without the project's own Node: `npm` is the machine's, as on a fresh machine. */
const machinePath = () =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('/.plinto/node-'))
    .join(delimiter);

async function envFor(extra: Record<string, string> = {}) {
  const prefix = `t_${uniqueSuffix()}`;
  return {
    prefix,
    env: {
      ...process.env,
      PATH: machinePath(),
      DATABASE_URL: await createTestDatabase(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      WORKERS_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      PLINTO_BOOTSTRAP_API_KEY: `plk_start_${randomBytes(16).toString('hex')}`,
      PLINTO_MASTER_KEY: randomBytes(32).toString('hex'),
      ...extra,
    } as Record<string, string>,
  };
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `command` until the api prints its URL and the workers say they run. */
async function startCommand(command: string, args: string[], env: Record<string, string>, options: { ownGroup?: boolean } = {}): Promise<Started> {
  let output = '';
  // ownGroup: a process group of its own, like a terminal's foreground job.
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownGroup ?? false });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onCleanup(async () => {
    // Only if the test failed half-way: take the whole tree down.
    for (const p of descendants(child.pid!)) process.kill(p.pid, 'SIGKILL');
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`${command} exited early:\n${output}`);
      const match = /Plinto api listening on (http:\/\/\S+)/.exec(output);
      return match && output.includes('workers running') ? match[1] : null;
    },
    `${command} ${args.join(' ')} to start`,
    120_000,
    100,
  );
  return { child, url: url!, output: () => output, exited };
}

/** Signals the command itself and waits until neither it nor anything it started is left. */
async function stopAndFindNothingLeft(started: Started, prefix: string, signal: NodeJS.Signals, options: { wholeGroup?: boolean } = {}) {
  const tree = descendants(started.child.pid!);
  expect(tree.some((p) => p.cmdline.includes('api/'))).toBe(true);
  expect(tree.some((p) => p.cmdline.includes('workers/'))).toBe(true);
  // A terminal's Ctrl-C reaches every process of the foreground group at once; `kill PID` only one.
  if (options.wholeGroup) process.kill(-started.child.pid!, signal);
  else started.child.kill(signal);
  await started.exited;
  await waitFor(() => tree.every((p) => !isAlive(p.pid)), `every process ${signal} reached to exit`, 60_000, 100);
  // Nothing anywhere on the machine still runs with this test's environment.
  expect(processesWithEnv(`QUEUE_PREFIX=${prefix}`)).toEqual([]);
  return tree;
}

describe('starting and stopping as the README says', () => {
  it('`npm start` on the machine’s npm runs on Node 24, and SIGTERM to npm leaves no process behind', async () => {
    const { env, prefix } = await envFor();
    const started = await startCommand('npm', ['start'], env);
    const ping = await fetch(`${started.url}/v1/ping`);
    expect(ping.status).toBe(200);
    const tree = await stopAndFindNothingLeft(started, prefix, 'SIGTERM');
    // The api and the workers ran on Node 24 (the project's own binary on a machine with an older Node).
    const apiProcess = tree.find((p) => p.cmdline.includes('api/src/main.ts'))!;
    expect(spawnSync(apiProcess.cmdline.split(' ')[0]!, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v(2[4-9]|[3-9]\d)\./);
    expect(started.output()).toContain('shutting down');
  }, 180_000);

  it('SIGINT to `npm start` alone, and Ctrl-C (SIGINT to its whole process group), stop everything too', async () => {
    const alone = await envFor();
    await stopAndFindNothingLeft(await startCommand('npm', ['start'], alone.env), alone.prefix, 'SIGINT');
    const group = await envFor();
    await stopAndFindNothingLeft(await startCommand('npm', ['start'], group.env, { ownGroup: true }), group.prefix, 'SIGINT', { wholeGroup: true });
  }, 240_000);

  it('the production build runs compiled JavaScript (no install, no compiler), passes the smoke tests and stops cleanly', async () => {
    const build = spawnSync('pnpm', ['build'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const { env, prefix } = await envFor({ NODE_ENV: 'production' });
    const started = await startCommand('node', ['scripts/start.mjs', 'all', '--compiled'], env);
    const tree = descendants(started.child.pid!);
    expect(tree.map((p) => p.cmdline).filter((c) => /tsx|pnpm|esbuild|tsc/.test(c))).toEqual([]);
    expect(tree.some((p) => p.cmdline.endsWith('api/dist/main.js'))).toBe(true);
    expect(tree.some((p) => p.cmdline.endsWith('workers/dist/main.js'))).toBe(true);

    await smokeTest(started.url, env.PLINTO_BOOTSTRAP_API_KEY!);
    await stopAndFindNothingLeft(started, prefix, 'SIGTERM');
    expect(await started.exited).toBe(0);
  }, 240_000);
});

/** What an operator checks after a deploy: health, docs, a write through REST and tRPC, the workers. */
async function smokeTest(url: string, platformKey: string) {
  expect((await fetch(`${url}/health`)).status).toBe(200);
  expect((await fetch(`${url}/ready`)).status).toBe(200);
  expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
  expect((await fetch(`${url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  const auth = { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/v1/tenants`, { method: 'POST', headers: auth, body: JSON.stringify({ slug: 'smoke', name: 'Smoke' }) });
  expect(created.status).toBe(201);
  const listed = await fetch(`${url}/trpc/tenants.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, { headers: auth });
  expect(listed.status).toBe(200);
  // The workers (compiled too) provision the new tenant's first signing key from tenant.created.
  await waitFor(async () => ((await (await fetch(`${url}/t/smoke/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys.length > 0, "the new tenant's signing key", 30_000);
  const signUp = await fetch(`${url}/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-plinto-tenant': 'smoke' },
    body: JSON.stringify({ email: 'ops@smoke.test', password: 'correct horse battery staple 42' }),
  });
  expect(signUp.status).toBeLessThan(300);
  const signIn = await fetch(`${url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-plinto-tenant': 'smoke' },
    body: JSON.stringify({ email: 'ops@smoke.test', password: 'correct horse battery staple 42' }),
  });
  expect(signIn.status).toBe(200);
  const { access_token } = (await signIn.json()) as { access_token: string };
  expect((await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
}
