import { createHash } from 'node:crypto';
import { fastQuery, INDEX_ORDER_SCANS, type EntityManager, type MikroORM } from '@plinto/kernel';
import type { AuditRow } from './audit-row';

/**
 * Tamper evidence: each tenant's events form a hash chain, hash_n = SHA-256(hash_{n-1} + event_n).
 * The chain is extended AFTER commit, by one chainer at a time (the workers), in the
 * order commits become visible — so no request ever waits on a per-tenant lock. Retention records
 * the chain point it cut at (a checkpoint), so verification still passes after old events go.
 */
export const NIL_TENANT = '00000000-0000-0000-0000-000000000000';

/** An audit row as the chain reads it: the time as microseconds, exact and time-zone independent. */
type ChainRow = Omit<AuditRow, 'occurred_at'> & { occurred_us: string };

const CHAIN_COLUMNS = `id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id,
  outcome, ip, user_agent, request_id, data, (extract(epoch from occurred_at) * 1000000)::bigint::text as occurred_us,
  chain_seq, chain_hash`;

/** JSON with object keys sorted, so the same data always hashes the same. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function eventHash(previous: string, row: ChainRow): string {
  const content = canonical([
    row.id, row.tenant_id, row.organization_id, row.actor_type, row.actor_id, row.action, row.source,
    row.target_type, row.target_id, row.outcome, row.ip, row.user_agent, row.request_id, row.data, row.occurred_us,
  ]);
  return createHash('sha256').update(previous).update('\n').update(content).digest('hex');
}

const chainFilter = (key: string) => (key === NIL_TENANT ? 'tenant_id is null' : 'tenant_id = ?');
const chainParams = (key: string) => (key === NIL_TENANT ? [] : [key]);
const pgArray = (values: string[]) => `{${values.map((v) => `"${v}"`).join(',')}}`;

/** A microsecond epoch (as the chain reads it) as a timestamp PostgreSQL parses exactly. */
const usToTimestamp = (us: bigint) => `${new Date(Number(us / 1000n)).toISOString().slice(0, -1)}${String(us % 1000n).padStart(3, '0')}Z`;

type PendingRow = ChainRow & { chain_key: string; head_seq: string | null; head_hash: string | null };

/** Whether any event awaits the chainer. */
export const UNCHAINED_PROBE_SQL = 'select 1 as ok from audit_events where chain_seq is null order by id limit 1';

/** The oldest unchained events (by id, at most `?`), each with its chain's head. */
export const UNCHAINED_READ_SQL = `select e.*, h.seq as head_seq, h.hash as head_hash
   from (select ${CHAIN_COLUMNS}, coalesce(tenant_id, '${NIL_TENANT}'::uuid) as chain_key
           from audit_events where chain_seq is null order by id limit ?) e
   left join audit_chain_heads h on h.chain_key = e.chain_key
  order by e.id`;

/**
 * One pass: extends every chain by its committed, unchained events (up to `limit` in all, oldest
 * id first, so each chain's batch is a prefix of its own pending events in id order). Returns how
 * many. Six statements whatever the number of tenants (check, begin, lock, read, write, commit), because
 * each statement on audit_events is planned over every daily partition and, for the few events a
 * pass usually finds, planning is most of what PostgreSQL spends: the heads are read with the rows,
 * and the rows and heads are written in one statement whose occurred_at bounds (the batch's own,
 * as literals) let the planner keep only the partitions the batch lies in. One chainer at a time
 * (an advisory lock); another worker finding it held skips the pass.
 */
export async function chainPendingEvents(orm: MikroORM, limit = 5000): Promise<number> {
  // Passes that find nothing (polls of an idle system) take one statement, no transaction. It is
  // prepared, because planning it over every daily partition cost more than running it, and reads
  // in id order, so it is a plain index scan (see scanQueuesInIndexOrder).
  const [pending] = await fastQuery<{ ok: number }>(orm.em.fork(), UNCHAINED_PROBE_SQL, [], 'audit_unchained_probe');
  if (!pending) return 0;
  return orm.em.fork().transactional(async (tx) => {
    const [lock] = await fastQuery<{ ok: boolean }>(tx, `select pg_try_advisory_xact_lock(hashtextextended('audit-chain', 0)) as ok, ${INDEX_ORDER_SCANS}`, [], 'audit_chain_lock');
    if (!lock?.ok) return 0; // another chainer is extending the chains right now
    // Read after the lock is held, so the heads and the unchained rows are the ones this chainer owns.
    const rows = await fastQuery<PendingRow>(tx, UNCHAINED_READ_SQL, [limit], 'audit_unchained_read');
    if (rows.length === 0) return 0;
    const heads = new Map<string, { seq: number; hash: string }>();
    const ids: string[] = [];
    const seqs: string[] = [];
    const hashes: string[] = [];
    let minUs = BigInt(rows[0]!.occurred_us);
    let maxUs = minUs;
    for (const row of rows) {
      const head = heads.get(row.chain_key) ?? { seq: Number(row.head_seq ?? 0), hash: row.head_hash ?? '' };
      head.seq += 1;
      head.hash = eventHash(head.hash, row);
      heads.set(row.chain_key, head);
      ids.push(row.id);
      seqs.push(String(head.seq));
      hashes.push(head.hash);
      const us = BigInt(row.occurred_us);
      if (us < minUs) minUs = us;
      if (us > maxUs) maxUs = us;
    }
    await tx.execute(
      `with chained as (
         update audit_events a set chain_seq = v.seq, chain_hash = v.hash
           from unnest(?::uuid[], ?::bigint[], ?::text[]) as v(id, seq, hash)
          where a.id = v.id and a.chain_seq is null and a.occurred_at >= ?::timestamptz and a.occurred_at <= ?::timestamptz
       )
       insert into audit_chain_heads (chain_key, seq, hash, updated_at)
       select k, s, h, now() from unnest(?::uuid[], ?::bigint[], ?::text[]) as n(k, s, h)
       on conflict (chain_key) do update set seq = excluded.seq, hash = excluded.hash, updated_at = now()`,
      [
        pgArray(ids), pgArray(seqs), pgArray(hashes), usToTimestamp(minUs), usToTimestamp(maxUs),
        pgArray([...heads.keys()]), pgArray([...heads.values()].map((h) => String(h.seq))), pgArray([...heads.values()].map((h) => h.hash)),
      ],
    );
    return rows.length;
  });
}

export type IntegrityProblem =
  | { kind: 'edited'; eventId: string; seq: number }
  | { kind: 'removed'; seq: number; afterEventId: string | null }
  | { kind: 'inserted'; eventId: string; seq: number | null };

export interface IntegrityReport {
  ok: boolean;
  /** Events whose hash was recomputed. */
  checked: number;
  /** Where verification started: a retention checkpoint, or the genesis (0). */
  fromSeq: number;
  headSeq: number;
  /** Committed events not chained yet (the chainer runs every fraction of a second). */
  pending: number;
  firstProblem: IntegrityProblem | null;
}

/** How old an unchained event must be before it counts as inserted behind Plinto's back. */
const UNCHAINED_GRACE_SECONDS = 300;

/** Recomputes a tenant's chain from its latest retention checkpoint and names the first break. */
export async function verifyChain(em: EntityManager, tenantId: string | null, batch = 5000): Promise<IntegrityReport> {
  const key = tenantId ?? NIL_TENANT;
  const [checkpoint] = await em.execute<{ seq: string; hash: string }[]>(
    'select seq, hash from audit_chain_checkpoints where chain_key = ? order by seq desc limit 1',
    [key],
  );
  const [head] = await em.execute<{ seq: string }[]>('select seq from audit_chain_heads where chain_key = ?', [key]);
  const fromSeq = Number(checkpoint?.seq ?? 0);
  const headSeq = Number(head?.seq ?? 0);
  let expected = fromSeq + 1;
  let previousHash = checkpoint?.hash ?? '';
  let previousId: string | null = null;
  let checked = 0;
  const report = (firstProblem: IntegrityProblem | null, pending = 0): IntegrityReport => ({
    ok: firstProblem === null,
    checked,
    fromSeq,
    headSeq,
    pending,
    firstProblem,
  });

  for (;;) {
    const rows = await em.execute<ChainRow[]>(
      `select ${CHAIN_COLUMNS} from audit_events where ${chainFilter(key)} and chain_seq >= ? order by chain_seq, id limit ?`,
      [...chainParams(key), expected, batch],
    );
    for (const row of rows) {
      const seq = Number(row.chain_seq);
      if (seq < expected) return report({ kind: 'inserted', eventId: row.id, seq });
      if (seq > expected) return report({ kind: 'removed', seq: expected, afterEventId: previousId });
      const hash = eventHash(previousHash, row);
      if (hash !== row.chain_hash) return report({ kind: 'edited', eventId: row.id, seq });
      checked += 1;
      previousHash = hash;
      previousId = row.id;
      expected += 1;
    }
    if (rows.length < batch) break;
  }
  if (expected <= headSeq) return report({ kind: 'removed', seq: expected, afterEventId: previousId });
  const [stale] = await em.execute<{ id: string }[]>(
    `select id from audit_events where ${chainFilter(key)} and chain_seq is null and occurred_at < now() - make_interval(secs => ?) order by id limit 1`,
    [...chainParams(key), UNCHAINED_GRACE_SECONDS],
  );
  const [{ pending }] = (await em.execute<{ pending: number }[]>(
    `select count(*)::int as pending from audit_events where ${chainFilter(key)} and chain_seq is null`,
    chainParams(key),
  )) as [{ pending: number }];
  if (stale) return report({ kind: 'inserted', eventId: stale.id, seq: null }, pending);
  return report(null, pending);
}
