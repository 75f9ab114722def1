import { describe, expect, it } from 'vitest';
import { ConfigError, decodeCursor, encodeCursor, errorCatalog, loadConfig, randomToken, trpcCodeForStatus, uuidv7 } from '@plinto/kernel';

describe('configuration', () => {
  it('works with no environment at all on a developer machine', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/plinto');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(4000);
    expect(config.PUBLIC_URL).toBe('http://127.0.0.1:4000');
  });

  it('names every invalid variable and its value', () => {
    expect(() => loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x/y', TRUSTED_PROXIES: '10.0.0.1, loopback' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x/y' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT: .*\(got "70000"\)/);
      expect((error as Error).message).toMatch(/DATABASE_URL: .*\(got "mysql:\/\/x\/y"\)/);
    }
  });

  it('parses lists and trims a trailing slash from PUBLIC_URL', () => {
    const config = loadConfig({ TRUSTED_PROXIES: '10.0.0.1, loopback', PUBLIC_URL: 'https://id.example.com/' });
    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.1', 'loopback']);
    expect(config.PUBLIC_URL).toBe('https://id.example.com');
  });
});

describe('ids and cursors', () => {
  it('uuidv7 sorts in creation order, as PostgreSQL compares uuids (bytewise)', () => {
    const ids = Array.from({ length: 50 }, (_, i) => uuidv7(1_700_000_000_000 + i * 7));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('hands out pooled random bytes once each, across pool refills (4 KiB at a time)', () => {
    // 400 tokens of 32 bytes and 400 ids of 16 bytes: several refills of the pool.
    const tokens = Array.from({ length: 400 }, () => randomToken(32));
    const ids = Array.from({ length: 400 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(tokens.every((t) => Buffer.from(t, 'base64url').length === 32)).toBe(true);
    expect(ids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u))).toBe(true);
    expect(randomToken(8192)).toHaveLength(Math.ceil((8192 * 4) / 3));
  });

  it('round-trips a cursor and refuses a forged one with the field named', () => {
    const id = uuidv7();
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(() => decodeCursor('bm90LWEtdXVpZA')).toThrowError(expect.objectContaining({ appCode: 'VALIDATION_FAILED', fields: [expect.objectContaining({ path: 'cursor' })] }));
  });
});

describe('the error map', () => {
  it('gives every code one HTTP status that maps to a tRPC code mapping back to the same status class', () => {
    for (const [code, spec] of errorCatalog) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(trpcCodeForStatus(spec.status)).toBeTruthy();
    }
  });
});
