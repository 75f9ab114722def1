import { createOrm, dropDatabase, ensureDatabase, migrate, createLogger } from '@plinto/kernel';
import { databaseUrl, uniqueSuffix } from '@plinto/kernel/testing';
import { platformSchema } from '@plinto/api';

/**
 * Once per test run: a template database with every migration applied. Each test file then
 * clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds instead of re-migrating.
 * The name is unique per run, so runs on one machine never trip over each other.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = `plinto_tpl_${uniqueSuffix()}`;
  const url = databaseUrl(name);
  await ensureDatabase(url);
  const orm = await createOrm({ DATABASE_URL: url, DB_POOL_MAX: 2, DB_DEBUG: false }, platformSchema, createLogger({ LOG_LEVEL: 'silent' }, 'test'));
  await migrate(orm, url);
  await orm.close();
  process.env.PLINTO_TEST_TEMPLATE_DB = name;
  return async () => {
    await dropDatabase(url);
  };
}
