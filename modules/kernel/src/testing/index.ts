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
import { ServiceRegistry } from '../services';
import { auditActor, type ServiceContext } from '../service-context';
import type { Principal, TenantRef } from '../context';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from '../redis';
import { createLogger } from '../logger';

export { undeclaredEvent } from '../events/define';

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

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 10_000, intervalMs = 25): Promise<NonNullable<T>> {
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

const OPERATOR: Principal = { kind: 'platform_operator', id: 'test-operator', tenantId: null, attributes: {} };

/**
 * A service context acting as a platform operator, for integration tests of one module without an
 * api process: operators hold every permission (as the decision engine answers for them), so the
 * services' own checks pass. Tests of who may do what go through the api's real engine instead.
 */
export function operatorContext(input: { em: EntityManager; config: Config; tenant: TenantRef; services?: ServiceRegistry; redis?: Redis }): ServiceContext {
  const request = { requestId: 'test', ip: '127.0.0.1', userAgent: 'test' };
  return {
    em: input.em,
    config: input.config,
    logger: createLogger({ LOG_LEVEL: 'silent' }, 'test'),
    redis: input.redis ?? (undefined as never),
    request,
    tenant: input.tenant,
    principal: OPERATOR,
    actor: auditActor(request, OPERATOR),
    authz: { can: async () => true, require: async () => undefined, requireOutranks: async () => undefined, requireCanConfer: async () => undefined },
    services: input.services ?? new ServiceRegistry(),
  };
}
