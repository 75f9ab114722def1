import pg from 'pg';
import { onCleanup } from './harness';

/** A direct SQL connection to a test database, to assert rows (or to break things on purpose). */
export function sqlClient(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // The file's database is dropped (WITH FORCE) after this pool ends; a connection still closing
  // then reports its termination as an 'error', which must not crash the test process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  onCleanup(() => pool.end());
  return pool;
}
