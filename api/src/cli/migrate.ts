import { ConfigError, createLogger, loadConfig } from '@plinto/kernel';
import { configSections } from '@plinto/platform';
import { prepareDatabase } from '../server';

/** `pnpm db:migrate`: creates the database if missing, applies pending migrations, seeds defaults. */
try {
  const config = loadConfig(process.env, configSections);
  const logger = createLogger(config, 'plinto-migrate');
  const orm = await prepareDatabase(config, logger);
  await orm.close();
  console.log(`Database ${new URL(config.DATABASE_URL).pathname.slice(1)} is migrated.`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
