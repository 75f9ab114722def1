import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, createRedis, loadConfig } from '@plinto/kernel';
import { TEST_REDIS_URL, uniqueSuffix } from '@plinto/kernel/testing';
import '../src/config';
import { clearAccountAttempts, limitClientIp, recordAccountFailure, reserveAccountAttempt } from '../src/services/throttle';

/** Real Redis (the shared test server) under a key prefix of this file's own. */
const redis = createRedis(TEST_REDIS_URL, 'producer', 'auth-throttle-test');
beforeAll(() => new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()))));
afterAll(() => redis.disconnect());
const configWith = (env: Record<string, string>) => loadConfig({ QUEUE_PREFIX: `t_${uniqueSuffix()}`, ...env });
const tenant = '01900000-0000-7000-8000-000000000000';

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.appCode : String(e)));

describe('account throttle (atomic in Redis)', () => {
  it('grants exactly the threshold of 200 concurrent reservations', async () => {
    const config = configWith({ AUTH_ACCOUNT_LOCK_THRESHOLD: '7', AUTH_ACCOUNT_DELAY_AFTER: '0' });
    const results = await Promise.all(Array.from({ length: 200 }, () => outcome(reserveAccountAttempt(redis, config, tenant, 'a@example.com'))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(7);
    expect(results.filter((r) => r === 'ACCOUNT_LOCKED')).toHaveLength(193);
  });

  it('numbers the reservations so exactly one holds the threshold (the lock event)', async () => {
    const config = configWith({ AUTH_ACCOUNT_LOCK_THRESHOLD: '5', AUTH_ACCOUNT_DELAY_AFTER: '0' });
    const slots = await Promise.allSettled(Array.from({ length: 50 }, () => reserveAccountAttempt(redis, config, tenant, 'b@example.com')));
    const attempts = slots.flatMap((s) => (s.status === 'fulfilled' ? [s.value.attempt] : [])).sort();
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
  });

  it('delays progressively after confirmed failures (not after parallel attempts), and a success clears the count', async () => {
    const config = configWith({ AUTH_ACCOUNT_DELAY_AFTER: '2', AUTH_ACCOUNT_DELAY_BASE_MS: '300' });
    const reserve = () => outcome(reserveAccountAttempt(redis, config, tenant, 'c@example.com'));
    const fail = () => recordAccountFailure(redis, config, tenant, 'c@example.com');
    // A user's own parallel sign-ins are in flight, not failures: no delay.
    expect(await Promise.all([reserve(), reserve(), reserve()])).toEqual(['ok', 'ok', 'ok']);
    await clearAccountAttempts(redis, config, tenant, 'c@example.com');
    await reserve();
    await fail();
    await reserve();
    await fail();
    expect(await reserve()).toBe('SIGN_IN_THROTTLED');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await reserve()).toBe('ok');
    await fail();
    // Third failure: the delay doubled (600 ms).
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await reserve()).toBe('SIGN_IN_THROTTLED');
    await clearAccountAttempts(redis, config, tenant, 'c@example.com');
    expect(await reserve()).toBe('ok');
  });

  it('unlocks after AUTH_ACCOUNT_LOCK_SECONDS', async () => {
    const config = configWith({ AUTH_ACCOUNT_LOCK_THRESHOLD: '1', AUTH_ACCOUNT_LOCK_SECONDS: '1', AUTH_ACCOUNT_DELAY_AFTER: '0' });
    await reserveAccountAttempt(redis, config, tenant, 'd@example.com');
    expect(await outcome(reserveAccountAttempt(redis, config, tenant, 'd@example.com'))).toBe('ACCOUNT_LOCKED');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await outcome(reserveAccountAttempt(redis, config, tenant, 'd@example.com'))).toBe('ok');
  });

  it('fails closed when Redis is unreachable', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer', 'dead');
    const config = configWith({});
    expect(await outcome(reserveAccountAttempt(dead, config, tenant, 'e@example.com'))).toBe('SERVICE_UNAVAILABLE');
    expect(await outcome(limitClientIp(dead, config, '127.0.0.1'))).toBe('SERVICE_UNAVAILABLE');
    dead.disconnect();
  });
});

describe('client IP budget', () => {
  it('is counted in the same script as the account reservation at sign-in', async () => {
    const config = configWith({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '3', AUTH_ACCOUNT_DELAY_AFTER: '0' });
    const ip = { ip: '192.0.2.44' };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await outcome(reserveAccountAttempt(redis, config, tenant, `ip${i}@example.com`, ip)));
    // Whole-minute windows: a boundary inside the loop would grant a fresh budget.
    expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(5);
    expect(results.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    if (results[3] !== 'ok') expect(results.slice(3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });


  it('allows AUTH_IP_RATE_LIMIT_PER_MINUTE requests per IP under concurrency', async () => {
    const config = configWith({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '20' });
    const results = await Promise.all(Array.from({ length: 100 }, () => outcome(limitClientIp(redis, config, '198.51.100.7'))));
    // A window boundary may fall inside the burst; then the next window's budget applies too.
    const ok = results.filter((r) => r === 'ok').length;
    expect(ok === 20 || ok === 40).toBe(true);
    expect(await outcome(limitClientIp(redis, config, '198.51.100.8'))).toBe('ok');
  });
});
