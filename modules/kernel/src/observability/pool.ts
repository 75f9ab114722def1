import type { MikroORM } from '@mikro-orm/postgresql';
import { gauge } from './metrics';

/** tarn's pool, under knex, under MikroORM: the connection counts PostgreSQL work waits on. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

const orms = new Set<MikroORM>();

/**
 * PostgreSQL pool use of this process, by state: `used` (checked out), `free`, `pending` (queries
 * waiting for a connection: past DB_POOL_ACQUIRE_TIMEOUT_MS they answer 503) and `max`.
 */
export function observePool(orm: MikroORM): void {
  orms.add(orm);
  gauge({
    name: 'plinto_db_pool_connections',
    help: 'PostgreSQL connections of this process by state (used, free, pending acquires, max)',
    labelNames: ['state'],
    collect() {
      const totals = { used: 0, free: 0, pending: 0, max: 0 };
      for (const each of orms) {
        const pool = poolOf(each);
        if (!pool) continue;
        totals.used += pool.numUsed();
        totals.free += pool.numFree();
        totals.pending += pool.numPendingAcquires();
        totals.max += pool.max;
      }
      for (const [state, value] of Object.entries(totals)) this.set({ state }, value);
    },
  });
}

/** Stops counting a closed ORM's pool. */
export function forgetPool(orm: MikroORM): void {
  orms.delete(orm);
}

function poolOf(orm: MikroORM): TarnPool | null {
  try {
    return (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool ?? null;
  } catch {
    return null;
  }
}
