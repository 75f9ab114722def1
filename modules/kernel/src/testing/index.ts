/**
 * Test helpers for any package: a private database cloned from the migrated template, a private
 * Redis key prefix, and polling. Real PostgreSQL and Redis only; nothing here mocks them.
 * Exposed as `@plinto/kernel/testing`.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { dropDatabase, ensureDatabase } from '../db/database';
import { loadConfig, type Config } from '../config';
import { isRedisClusterUrl } from '../redis-url';

export { undeclaredEvent } from '../events/define';
export { operatorContext } from './context';

const BASE_DATABASE_URL = process.env.PLINTO_TEST_DATABASE_BASE ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The test run's own Redis (started by the global setup; never the machine's shared one). */
export const TEST_REDIS_URL = testRedisUrl();

function testRedisUrl(): string {
  const url = process.env.PLINTO_TEST_REDIS_URL;
  if (!url) throw new Error('PLINTO_TEST_REDIS_URL is not set: run tests through vitest (its global setup starts the run’s Redis)');
  return url;
}

export const uniqueSuffix = () => randomBytes(5).toString('hex');

export function databaseUrl(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Name of the migrated template database of this test run (made by the global setup). */
export function templateDatabase(): string {
  const name = process.env.PLINTO_TEST_TEMPLATE_DB;
  if (!name) throw new Error('PLINTO_TEST_TEMPLATE_DB is not set: run tests through vitest (global setup)');
  return name;
}

const created: string[] = [];

/** A new, migrated database of its own for the calling test file. */
export async function createTestDatabase(): Promise<string> {
  const url = databaseUrl(`plinto_t_${uniqueSuffix()}`);
  await ensureDatabase(url, templateDatabase());
  created.push(url);
  return url;
}

export async function dropTestDatabases(): Promise<void> {
  await Promise.all(created.splice(0).map((url) => dropDatabase(url).catch(() => undefined)));
}

/**
 * Configuration for one test file: its own database, Redis prefix and an ephemeral port. `sections`
 * are the modules' settings to validate with it, as a process does at start.
 */
export async function testConfig(overrides: Record<string, string> = {}, sections: z.ZodObject[] = []): Promise<Config> {
  const databaseUrlForTest = overrides.DATABASE_URL ?? (await createTestDatabase());
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.PLINTO_TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: TEST_REDIS_URL,
    // On a Redis Cluster the prefix carries a hash tag (see QUEUE_PREFIX in config.ts).
    QUEUE_PREFIX: isRedisClusterUrl(TEST_REDIS_URL) ? `{t_${uniqueSuffix()}}` : `t_${uniqueSuffix()}`,
    PLINTO_BOOTSTRAP_API_KEY: `plk_test_${randomBytes(24).toString('hex')}`,
    OUTBOX_POLL_INTERVAL_MS: '25',
    WORKERS_METRICS_PORT: '0',
    PLINTO_MASTER_KEY: randomBytes(32).toString('hex'),
    ...overrides,
    DATABASE_URL: databaseUrlForTest,
  }, sections);
}

/**
 * Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. The default
 * ceiling is generous on purpose: it only bounds a wait that will fail anyway, and two test files
 * at once on a loaded machine take several times their quiet duration.
 */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
