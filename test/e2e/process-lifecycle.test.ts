import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { apiThreadPoolEnv } from '../../scripts/lib/threadpool.mjs';
import { appEntry, createTestDatabase, forkApp, REPO_ROOT, TEST_REDIS_URL, uniqueSuffix } from '../src';

const env = async () => ({
  DATABASE_URL: await createTestDatabase(),
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: `t_${uniqueSuffix()}`,
  PORT: '0',
  LOG_LEVEL: 'silent',
  PLINTO_BOOTSTRAP_API_KEY: `plk_lifecycle_${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}`,
});

describe('the api and workers as processes', () => {
  it("starts the api with libuv's pool at one thread per core (set before Node starts)", async () => {
    const perCore = String(Math.max(2, Math.min(availableParallelism(), 16)));
    expect(apiThreadPoolEnv({})).toEqual({ UV_THREADPOOL_SIZE: perCore });
    expect(apiThreadPoolEnv({ UV_THREADPOOL_SIZE: '9' })).toEqual({});
    const api = await forkApp('api', await env());
    const environ = readFileSync(`/proc/${api.child.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`UV_THREADPOOL_SIZE=${perCore}`);
  });

  it('finishes a slow in-flight request after SIGTERM, then exits 0', async () => {
    const vars = await env();
    const api = await forkApp('api', vars);
    const { port } = api.ready as { port: number };
    const body = JSON.stringify({ slug: 'slow-one', name: 'Slow' });

    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/tenants',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${vars.PLINTO_BOOTSTRAP_API_KEY}` },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      // Half the body now, SIGTERM, the rest a moment later: the request is in flight throughout.
      req.write(body.slice(0, 10));
      setTimeout(() => api.child.kill('SIGTERM'), 100);
      setTimeout(() => req.end(body.slice(10)), 700);
    });

    const { status, text } = await response;
    expect(status).toBe(201);
    expect(JSON.parse(text)).toMatchObject({ slug: 'slow-one' });
    expect(await api.exited).toBe(0);
  });

  it('workers finish and exit 0 on SIGTERM', async () => {
    const workers = await forkApp('workers', await env());
    workers.child.kill('SIGTERM');
    expect(await workers.exited).toBe(0);
  });

  it.each([
    ['api', { EMAIL_PROVIDER: 'smtp' }, ['EMAIL_PROVIDER', 'SMTP_HOST']],
    ['workers', { EMAIL_PROVIDER: 'sendgrid' }, ['EMAIL_PROVIDER', 'SENDGRID_API_KEY']],
    ['workers', { EMAIL_PROVIDER: 'ses' }, ['EMAIL_PROVIDER', 'SES_REGION']],
    ['api', { NODE_ENV: 'production' }, ['PLINTO_MASTER_KEY', 'NODE_ENV']],
    ['workers', { NODE_ENV: 'production', EMAIL_PROVIDER: 'smtp', SMTP_USERNAME: 'mailer' }, ['PLINTO_MASTER_KEY', 'SMTP_HOST', 'SMTP_PASSWORD']],
    ['api', { PLINTO_MASTER_KEY: 'too-short' }, ['PLINTO_MASTER_KEY']],
  ])('%s refuses settings that do not fit together (%j) with one line naming them, no stack trace', (entry, vars, named) => {
    const env: Record<string, string | undefined> = { ...process.env, ...vars };
    for (const name of ['SMTP_HOST', 'SENDGRID_API_KEY', 'SES_REGION', 'AWS_REGION', ...(vars.PLINTO_MASTER_KEY ? [] : ['PLINTO_MASTER_KEY'])]) delete env[name];
    const { file, execArgv } = appEntry(entry);
    const result = spawnSync(process.execPath, [...execArgv, file], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    for (const name of named) expect(lines[0]).toContain(name);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to start with an invalid setting, naming the variable', () => {
    const result = spawnSync('pnpm', ['exec', 'tsx', 'api/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: 'not-a-port', REDIS_URL: 'http://wrong-scheme' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('REDIS_URL');
    expect(result.stderr).toContain('not-a-port');
  });
});
