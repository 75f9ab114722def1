import { MikroORM, type EntitySchema, type MigrationObject, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { outboxCommitted } from '../events/wake';

export type { MikroORM };

/**
 * What a module contributes to the database: its entities and its migrations. The api and the
 * workers compose these from each module's index.ts, so each module owns its own schema.
 */
export interface ModuleSchema {
  entities: EntitySchema<any, any>[];
  migrations: MigrationObject[];
  /** MikroORM filters (e.g. tenant scoping) this module's entities need. */
  filters?: Options['filters'];
}

export function composeSchemas(schemas: ModuleSchema[]): Required<ModuleSchema> {
  const migrations = schemas.flatMap((s) => s.migrations).sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`Duplicate migration name ${m.name}`);
    names.add(m.name);
  }
  return {
    entities: schemas.flatMap((s) => s.entities),
    migrations,
    filters: Object.assign({}, ...schemas.map((s) => s.filters ?? {})),
  };
}

export async function createOrm(
  config: Pick<Config, 'DATABASE_URL' | 'DB_POOL_MAX' | 'DB_DEBUG'> & Partial<Pick<Config, 'DB_POOL_ACQUIRE_TIMEOUT_MS'>>,
  schema: Required<ModuleSchema>,
  logger?: Logger,
): Promise<MikroORM> {
  const orm = await MikroORM.init({
    clientUrl: config.DATABASE_URL,
    entities: schema.entities,
    filters: schema.filters,
    // Every request forks its own EntityManager; the global one must never hold request state.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: schema.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    // A request never waits long for a connection: past the acquire timeout it is answered 503
    // (pool exhausted) rather than piling up behind a database that cannot keep up.
    pool: { min: 0, max: config.DB_POOL_MAX, acquireTimeoutMillis: config.DB_POOL_ACQUIRE_TIMEOUT_MS ?? 10_000 },
    debug: config.DB_DEBUG,
    logger: (message) => logger?.debug({ orm: true }, message),
    // Keep the connection errors readable; MikroORM's default colours ANSI codes into logs.
    colors: false,
  });
  // After a commit that wrote event rows, wake the outbox relay (see events/wake.ts).
  orm.em.getEventManager().registerSubscriber({ afterTransactionCommit: (args) => outboxCommitted(args.em as never) });
  return orm;
}
