import pg from 'pg';
import { onCleanup } from './harness';

/** A direct SQL connection to a test database, to assert rows (or to break things on purpose). */
export function sqlClient(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  onCleanup(() => pool.end());
  return pool;
}
