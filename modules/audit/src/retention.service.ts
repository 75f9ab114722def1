import { recordEvent, SYSTEM_ACTOR, uuidv7, type EntityManager, type Logger } from '@plinto/kernel';
import { NIL_TENANT } from './chain';
import { listPartitions } from './partitions';
import { AuditEvents } from './events';

const DAY_MS = 86_400_000;
const DELETE_BATCH = 5000;

interface ChainCut {
  key: string;
  cutoff: Date;
  /** The highest chain position that is removed: every event up to it is older than the cutoff. */
  seq: number;
}

/** Retention days per chain (tenant): the tenant's `auditRetentionDays` setting, else the default. */
async function retentionByChain(em: EntityManager, defaultDays: number, onlyTenant?: string): Promise<Map<string, number>> {
  const rows = await em.execute<{ id: string; days: number | null }[]>(
    `select id, (settings->>'auditRetentionDays')::int as days from tenants ${onlyTenant ? 'where id = ?' : ''}`,
    onlyTenant ? [onlyTenant] : [],
  );
  const days = new Map(rows.map((r) => [r.id, r.days ?? defaultDays]));
  if (!onlyTenant) days.set(NIL_TENANT, defaultDays);
  return days;
}

const chainFilter = (key: string) => (key === NIL_TENANT ? 'tenant_id is null' : 'tenant_id = ?');
const chainParams = (key: string) => (key === NIL_TENANT ? [] : [key]);

/**
 * The cut for one chain: events older than the cutoff go, but only up to the first chain position
 * that is still young enough to keep, so the remaining chain stays contiguous and verifiable.
 * Records a checkpoint (seq + hash) where it cuts.
 */
async function cutChain(em: EntityManager, key: string, cutoff: Date): Promise<ChainCut | null> {
  const [bounds] = await em.execute<{ old_max: string | null; young_min: string | null }[]>(
    `select max(chain_seq) filter (where occurred_at < ?) as old_max, min(chain_seq) filter (where occurred_at >= ?) as young_min
       from audit_events where ${chainFilter(key)} and chain_seq is not null`,
    [cutoff, cutoff, ...chainParams(key)],
  );
  if (!bounds?.old_max) return null;
  const seq = Math.min(Number(bounds.old_max), bounds.young_min ? Number(bounds.young_min) - 1 : Infinity);
  const [last] = await em.execute<{ seq: string }[]>('select coalesce(max(seq), 0) as seq from audit_chain_checkpoints where chain_key = ?', [key]);
  if (seq <= Number(last?.seq ?? 0)) return { key, cutoff, seq: Number(last?.seq ?? 0) };
  const [at] = await em.execute<{ hash: string }[]>(`select chain_hash as hash from audit_events where ${chainFilter(key)} and chain_seq = ?`, [
    ...chainParams(key),
    seq,
  ]);
  if (!at) return null;
  await em.execute('insert into audit_chain_checkpoints (id, chain_key, seq, hash, cut_before) values (?, ?, ?, ?, ?)', [
    uuidv7(),
    key,
    seq,
    at.hash,
    cutoff,
  ]);
  return { key, cutoff, seq };
}

export interface RetentionResult {
  droppedPartitions: string[];
  deletedRows: number;
  checkpoints: number;
}

/**
 * Applies retention: drops whole daily partitions once every tenant's retention has passed them,
 * and deletes rows (in bounded batches) only where a tenant keeps less than the longest retention
 * or rows sit in the default partition. With `onlyTenant`, applies that tenant's retention now
 * (row deletes only). Unchained events are never removed (the chain must see them first).
 */
export async function applyRetention(
  em: EntityManager,
  opts: { defaultDays: number; now?: number; onlyTenant?: string; logger?: Logger },
): Promise<RetentionResult> {
  const now = opts.now ?? Date.now();
  const days = await retentionByChain(em, opts.defaultDays, opts.onlyTenant);
  const cuts: ChainCut[] = [];
  for (const [key, d] of days) {
    const cut = await cutChain(em, key, new Date(now - d * DAY_MS));
    if (cut) cuts.push(cut);
  }
  const result: RetentionResult = { droppedPartitions: [], deletedRows: 0, checkpoints: cuts.length };
  if (cuts.length === 0) return result;

  if (!opts.onlyTenant) {
    const oldestCutoff = Math.min(...[...days.values()].map((d) => now - d * DAY_MS));
    const cutValues = cuts.map((c) => `('${c.key}'::uuid, ${c.seq})`).join(', ');
    for (const partition of await listPartitions(em)) {
      if (partition.endMs > oldestCutoff) break;
      // Droppable only when every row in it is chained and inside its tenant's cut.
      const [blocker] = await em.execute<{ id: string }[]>(
        `select p.id from ${partition.name} p left join (values ${cutValues}) as c(key, seq)
            on c.key = coalesce(p.tenant_id, '${NIL_TENANT}'::uuid)
          where p.chain_seq is null or c.seq is null or p.chain_seq > c.seq limit 1`,
      );
      if (blocker) continue;
      await em.execute(`drop table ${partition.name}`);
      result.droppedPartitions.push(partition.name);
    }
  }

  for (const cut of cuts) {
    for (;;) {
      const deleted = await em.execute<{ id: string }[]>(
        // (id, occurred_at), not ctid: a ctid is only unique within one partition.
        `delete from audit_events where (id, occurred_at) in (
           select id, occurred_at from audit_events where ${chainFilter(cut.key)} and chain_seq <= ? and occurred_at < ? limit ${DELETE_BATCH})
         returning id`,
        [...chainParams(cut.key), cut.seq, cut.cutoff],
      );
      result.deletedRows += deleted.length;
      if (deleted.length < DELETE_BATCH) break;
    }
  }
  if (result.deletedRows > 0 || result.droppedPartitions.length > 0) {
    await em.transactional(async (tx) => {
      recordEvent(tx, SYSTEM_ACTOR, AuditEvents.of('audit.retention_applied', {
        tenantId: opts.onlyTenant ?? null,
        data: { ...result, cutoffs: cuts.map((c) => ({ tenantId: c.key === NIL_TENANT ? null : c.key, before: c.cutoff.toISOString(), seq: c.seq })) },
      }));
    });
  }
  opts.logger?.info(result, 'audit retention applied');
  return result;
}
