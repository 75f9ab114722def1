import { beforeAll, describe, expect, it } from 'vitest';
import { hashMetrics } from '@plinto/auth';
import { startTestApi, startTestWorkers, type TestApi } from '../src';
import { extractLink, startSmtpSink } from '../src/smtp-sink';
import { anon, rawPost, sql } from './auth-helpers';

const PASSWORD = 'correct horse battery staple';
let api: TestApi;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let call: ReturnType<typeof anon>;

beforeAll(async () => {
  smtp = await startSmtpSink();
  // No progressive delay here, so the parallel burst meets the hard account limit itself; the
  // IP budget is out of the way (it has its own test below).
  api = await startTestApi({
    EMAIL_PROVIDER: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    AUTH_ACCOUNT_LOCK_THRESHOLD: '10',
    AUTH_ACCOUNT_DELAY_AFTER: '0',
    AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000',
    // Even when proxies are trusted (and Express would believe X-Forwarded-Host), links ignore it.
    TRUSTED_PROXIES: 'loopback',
  });
  await startTestWorkers(api.config);
  await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme', settings: { appUrl: 'https://app.acme.test' } } });
  call = anon(api, 'acme');
});

async function createUser(email: string, tenant = 'acme') {
  const c = anon(api, tenant);
  expect((await c('POST', '/v1/auth/sign-up', { email, password: PASSWORD })).status).toBe(202);
  await smtp.waitForEmail(email, /Verify/);
  smtp.take(email);
}

describe('online guessing', () => {
  it('lets no more than the threshold of 200 parallel wrong passwords reach argon2, then locks the account', async () => {
    await createUser('victim@example.com');
    const before = hashMetrics.verifications;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call('POST', '/v1/auth/sign-in', { email: 'victim@example.com', password: `wrong guess ${i}` })),
    );
    const verified = hashMetrics.verifications - before;
    expect(verified).toBeGreaterThan(0);
    expect(verified).toBeLessThanOrEqual(10);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBe(verified);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.error.code === 'ACCOUNT_LOCKED')).toBe(true);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    const locked = await sql(api, `select * from audit_events where action = 'user.locked'`);
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ ip: expect.any(String), user_agent: expect.any(String) });
    expect((await sql(api, `select count(*)::int as n from audit_events where action = 'user.sign_in_failed'`))[0].n).toBe(verified);

    // Locked: even the right password is not checked now.
    const right = await call('POST', '/v1/auth/sign-in', { email: 'victim@example.com', password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error).toMatchObject({ code: 'ACCOUNT_LOCKED', details: { retryAfterSeconds: expect.any(Number) } });
    expect(hashMetrics.verifications - before).toBe(verified);

    // The owner gets back in by resetting the password, which clears the lock.
    await call('POST', '/v1/auth/password/forgot', { email: 'victim@example.com' });
    const token = extractLink(await smtp.waitForEmail('victim@example.com', /Reset/)).searchParams.get('token');
    expect((await call('POST', '/v1/auth/password/reset', { token, password: 'a fresh new passphrase' })).status).toBe(200);
    expect((await call('POST', '/v1/auth/sign-in', { email: 'victim@example.com', password: 'a fresh new passphrase' })).status).toBe(200);
  });

  it('locks a missing account exactly like an existing one (a lock reveals nothing)', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => call('POST', '/v1/auth/sign-in', { email: 'nobody@example.com', password: 'whatever it is' })),
    );
    expect(results.filter((r) => r.status === 401).length).toBe(10);
    expect(results.filter((r) => r.status === 429).length).toBe(20);
  });

  it('bounds the hashes in flight at once (AUTH_HASH_CONCURRENCY)', async () => {
    hashMetrics.maxInFlight = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/auth/sign-in', { email: `spread${i}@example.com`, password: 'some password' })));
    expect(hashMetrics.maxInFlight).toBeGreaterThan(0);
    expect(hashMetrics.maxInFlight).toBeLessThanOrEqual((api.config as unknown as { AUTH_HASH_CONCURRENCY: number }).AUTH_HASH_CONCURRENCY);
  });
});

describe('no user enumeration', () => {
  it('answers sign-in for a missing and an existing account with identical bodies after one hash each', async () => {
    await createUser('exists@example.com');
    const headers = { 'x-request-id': 'enumeration-probe' };
    const before = hashMetrics.verifications;
    const existing = await call('POST', '/v1/auth/sign-in', { email: 'exists@example.com', password: 'not the password' }, headers);
    const afterExisting = hashMetrics.verifications;
    const missing = await call('POST', '/v1/auth/sign-in', { email: 'missing@example.com', password: 'not the password' }, headers);
    expect(afterExisting - before).toBe(1);
    expect(hashMetrics.verifications - afterExisting).toBe(1);
    expect(existing.status).toBe(401);
    expect(missing.status).toBe(existing.status);
    expect(JSON.stringify(missing.body)).toBe(JSON.stringify(existing.body));
    expect(existing.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('answers sign-up, forgot-password and magic-link requests identically for missing and existing accounts', async () => {
    const headers = { 'x-request-id': 'enumeration-probe-2' };
    for (const [path, body] of [
      ['/v1/auth/password/forgot', (email: string) => ({ email })],
      ['/v1/auth/magic-link', (email: string) => ({ email })],
      ['/v1/auth/sign-up', (email: string) => ({ email, password: 'a perfectly fine password' })],
    ] as const) {
      const existing = await call('POST', path, body('exists@example.com'), headers);
      const missing = await call('POST', path, body(`new-${path.length}@example.com`), headers);
      expect(existing.status).toBe(202);
      expect(missing.status).toBe(202);
      expect(JSON.stringify(missing.body)).toBe(JSON.stringify(existing.body));
    }
  });
});

describe('emailed links', () => {
  it("ignore poisoned Host and X-Forwarded-Host: the origin is the tenant's app URL", async () => {
    await createUser('links@example.com');
    const poison = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-plinto-tenant': 'acme' };
    for (const [path, subject] of [
      ['/v1/auth/password/forgot', /Reset/],
      ['/v1/auth/magic-link', /sign-in link/],
    ] as const) {
      const res = await rawPost(api.url, path, { email: 'links@example.com' }, poison);
      expect(res.status).toBe(202);
      const link = extractLink(await smtp.waitForEmail('links@example.com', subject));
      expect(link.origin).toBe('https://app.acme.test');
      expect(link.href).not.toContain('evil');
      smtp.take('links@example.com');
    }
  });

  it('fall back to PUBLIC_URL for a tenant without an app URL, still ignoring the headers', async () => {
    await createUser('plain@example.com', 'default');
    const res = await rawPost(api.url, '/v1/auth/password/forgot', { email: 'plain@example.com' }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    expect(res.status).toBe(202);
    const link = extractLink(await smtp.waitForEmail('plain@example.com', /Reset/));
    expect(link.origin).toBe(new URL(api.config.PUBLIC_URL).origin);
  });
});

describe('throttling by configuration', () => {
  it('delays progressively after AUTH_ACCOUNT_DELAY_AFTER failures', async () => {
    const delayed = await startTestApi({ AUTH_ACCOUNT_DELAY_AFTER: '2', AUTH_ACCOUNT_DELAY_BASE_MS: '20000', AUTH_IP_RATE_LIMIT_PER_MINUTE: '1000' });
    const c = anon(delayed, 'default');
    for (let i = 0; i < 2; i++) expect((await c('POST', '/v1/auth/sign-in', { email: 'slow@example.com', password: 'wrong password' })).status).toBe(401);
    const third = await c('POST', '/v1/auth/sign-in', { email: 'slow@example.com', password: 'wrong password' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('SIGN_IN_THROTTLED');
    // base * 2^(failures - delayAfter) = 20 s after the last attempt.
    expect(third.body.error.details.retryAfterSeconds).toBeGreaterThan(15);
    expect(third.body.error.details.retryAfterSeconds).toBeLessThanOrEqual(20);
  });

  it('limits auth requests per client IP (AUTH_IP_RATE_LIMIT_PER_MINUTE); X-Forwarded-For counts only from trusted proxies', async () => {
    const untrusting = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '5' });
    const c = anon(untrusting, 'default');
    const spoof = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await c('POST', '/v1/auth/password/forgot', { email: `ip${i}@example.com` }, spoof(i)));
    expect(results.slice(0, 5).map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(results[5]!.status).toBe(429);
    expect(results[5]!.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'ip' } });

    const behindProxy = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '5', TRUSTED_PROXIES: 'loopback' });
    const p = anon(behindProxy, 'default');
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await p('POST', '/v1/auth/password/forgot', { email: 'x@example.com' }, spoof(i))).status);
    expect(statuses).toEqual(Array(8).fill(202));
  });
});
