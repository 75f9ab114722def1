import type { EntityManager, Logger } from '@plinto/kernel';

const DAY_MS = 86_400_000;
const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
export const partitionName = (t: number) => `audit_events_p${isoDay(t).replace(/-/g, '')}`;

/**
 * Creates the daily partition starting at `start`. When rows of that day already sit in the
 * default partition (PostgreSQL then refuses a plain CREATE ... PARTITION OF), they are moved into
 * the new table and it is attached, all in one transaction.
 */
async function createDayPartition(em: EntityManager, start: number): Promise<void> {
  const name = partitionName(start);
  const from = isoDay(start);
  const to = isoDay(start + DAY_MS);
  await em.transactional(async (tx) => {
    await tx.execute(`create table ${name} (like audit_events including defaults including constraints)`);
    await tx.execute(
      `with moved as (delete from audit_events_default where occurred_at >= '${from}' and occurred_at < '${to}' returning *)
       insert into ${name} select * from moved`,
    );
    await tx.execute(`alter table audit_events attach partition ${name} for values from ('${from}') to ('${to}')`);
  });
}

/** Keeps one partition per UTC day ready from `fromMs` for `days` days. Idempotent; safe to race. */
export async function ensurePartitions(em: EntityManager, fromMs: number, days: number, logger?: Logger): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i < days; i++) {
    const start = dayStart(fromMs) + i * DAY_MS;
    const name = partitionName(start);
    const [exists] = await em.execute<{ ok: number }[]>('select 1 as ok from pg_class where relname = ?', [name]);
    if (exists) continue;
    try {
      await createDayPartition(em, start);
      created.push(name);
    } catch (error) {
      // Another process created it first (duplicate table), or the database refused: the default
      // partition keeps taking that day's rows, so nothing is lost either way.
      const [now] = await em.execute<{ ok: number }[]>('select 1 as ok from pg_class where relname = ?', [name]);
      if (!now) logger?.warn({ err: error, partition: name }, 'audit partition not created; its rows stay in the default partition');
    }
  }
  return created;
}

export interface DailyPartition {
  name: string;
  /** Exclusive upper bound (ms). */
  endMs: number;
}

/** The daily partitions that exist, oldest first. */
export async function listPartitions(em: EntityManager): Promise<DailyPartition[]> {
  const rows = await em.execute<{ name: string }[]>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      where p.relname = 'audit_events' and c.relname like 'audit\\_events\\_p%' order by c.relname`,
  );
  return rows.map(({ name }) => {
    const d = name.slice('audit_events_p'.length);
    return { name, endMs: Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00Z`) + DAY_MS };
  });
}
