import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';

/** Splits a PostgreSQL URL into the maintenance connection (database `postgres`) and the target name. */
function maintenanceUrl(databaseUrl: string): { adminUrl: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  return { adminUrl: url.toString(), database };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database named by DATABASE_URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string, template?: string): Promise<void> {
  const { adminUrl, database } = maintenanceUrl(databaseUrl);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      const from = template ? ` template ${quoteIdent(template)}` : '';
      try {
        await client.query(`create database ${quoteIdent(database)}${from}`);
      } catch (error) {
        // Another process created it between our check and our create: that is fine.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { adminUrl, database } = maintenanceUrl(databaseUrl);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${quoteIdent(database)} with (force)`);
  } finally {
    await client.end();
  }
}

/** Any stable 64-bit number works; this one is "plinto" in ASCII. */
const MIGRATION_LOCK = 0x706c696e746fn;

/**
 * Applies pending migrations. A session-level advisory lock makes concurrent starts (several api
 * processes booting at once) take turns instead of racing on the same DDL.
 */
export async function migrate(orm: MikroORM, databaseUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined);
    await lock.end();
  }
}
