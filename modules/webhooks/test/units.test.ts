import { describe, expect, it } from 'vitest';
import { loadConfig } from '@plinto/kernel';
import { webhookConfigSchema } from '../src/config';
import { parseDuration, parseDurationList } from '../src/duration';
import { matchesFilters } from '../src/fanout.service';
import { nextDelay, withJitter } from '../src/delivery.service';
import { parseRetryAfter } from '@plinto/kernel';
import { generateSecret, isValidSecret } from '../src/signing';
import { secretBox } from '../src/secrets';
import { webhookConfig } from '../src/config';

describe('webhook settings', () => {
  it('parses durations and the retry schedule', () => {
    expect(parseDurationList('0,5s,5m,30m,2h,5h,10h,10h')).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(parseDuration('50ms')).toBe(50);
    expect(parseDuration('15')).toBe(15000);
    expect(() => parseDuration('soon')).toThrow();
  });

  it('defaults and overrides come through loadConfig; invalid values stop it naming the variable', () => {
    const defaults = webhookConfig(loadConfig({}));
    expect(defaults.WEBHOOK_RETRY_SCHEDULE).toHaveLength(8);
    expect(defaults.WEBHOOK_TIMEOUT).toBe(15000);
    expect(defaults.WEBHOOK_ALLOWED_HOSTS).toEqual([]);
    const custom = webhookConfig(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1, LocalHost', WEBHOOK_TIMEOUT: '2s' }));
    expect(custom).toMatchObject({ WEBHOOK_RETRY_SCHEDULE: [0, 50, 100], WEBHOOK_ALLOWED_HOSTS: ['127.0.0.1', 'localhost'], WEBHOOK_TIMEOUT: 2000 });
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0,often' }, [webhookConfigSchema])).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
  });
});

describe('event filters', () => {
  it.each([
    [[], 'tenant.created', true],
    [['*'], 'anything.at.all', true],
    [['user.*'], 'user.created', true],
    [['user.*'], 'user.mfa.enabled', true],
    [['user.*'], 'users.created', false],
    [['user.*'], 'user', false],
    [['organization.member.*'], 'organization.member.added', true],
    [['organization.member.*'], 'organization.updated', false],
    [['tenant.updated'], 'tenant.updated', true],
    [['tenant.updated'], 'tenant.created', false],
  ] as [string[], string, boolean][])('%j matches %s: %s', (filters, type, expected) => {
    expect(matchesFilters(filters, type)).toBe(expected);
  });
});

describe('retry timing', () => {
  it('follows the schedule with ±20 % jitter, honours Retry-After, and ends', () => {
    const schedule = [0, 5000, 300000];
    expect(withJitter(1000, () => 0)).toBe(800);
    expect(withJitter(1000, () => 1)).toBe(1200);
    const second = nextDelay(schedule, 1, null)!;
    expect(second).toBeGreaterThanOrEqual(4000);
    expect(second).toBeLessThanOrEqual(6000);
    expect(nextDelay(schedule, 1, 60_000)).toBe(60_000);
    expect(nextDelay(schedule, 3, null)).toBeNull();
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25_000);
    expect(parseRetryAfter('garbage')).toBeNull();
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets and seals them (AES-GCM; tampering is detected)', () => {
    const secret = generateSecret();
    expect(isValidSecret(secret)).toBe(true);
    expect(isValidSecret('whsec_short')).toBe(false);
    const box = secretBox(loadConfig({ WEBHOOK_SECRETS_KEY: 'k'.repeat(32) }));
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(() => secretBox(loadConfig({ WEBHOOK_SECRETS_KEY: 'j'.repeat(32) })).open(sealed)).toThrow();
    // Without WEBHOOK_SECRETS_KEY the master key is used; production without either refuses to start.
    const master = secretBox(loadConfig({ PLINTO_MASTER_KEY: 'a'.repeat(64) }));
    expect(master.open(master.seal(secret))).toBe(secret);
    expect(() => secretBox(loadConfig({ NODE_ENV: 'production' }))).toThrow(/PLINTO_MASTER_KEY/);
  });
});
