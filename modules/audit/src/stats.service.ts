import type { EntityManager } from '@plinto/kernel';
import { whereClause } from './query';
import type { AuditFilters } from './audit.schemas';
import type { AuditScope } from './scope';

const DEFAULT_WINDOW_DAYS = 30;
const TOP = 10;

/** Counts over a time range (default: the last 30 days): per action, per day, top actors and IPs, failures. */
export async function auditStats(em: EntityManager, scope: AuditScope, filters: AuditFilters) {
  const to = filters.to ? new Date(filters.to) : new Date();
  const from = filters.from ? new Date(filters.from) : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  const where = whereClause(scope, { ...filters, from: from.toISOString(), to: to.toISOString() });
  const q = <T>(select: string, tail = '') => em.execute<T[]>(`select ${select} from audit_events where ${where.sql} ${tail}`, where.params);
  const [totals, byAction, byDay, topActors, topIps] = await Promise.all([
    q<{ total: number; failures: number }>("count(*)::int as total, count(*) filter (where outcome = 'failure')::int as failures"),
    q<{ action: string; count: number }>('action, count(*)::int as count', 'group by action order by count desc, action'),
    q<{ day: string; count: number }>(
      "to_char(date_trunc('day', occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as day, count(*)::int as count",
      'group by 1 order by 1',
    ),
    q<{ type: string; id: string; count: number }>(
      'actor_type as type, actor_id as id, count(*)::int as count',
      `and actor_id is not null group by 1, 2 order by count desc, id limit ${TOP}`,
    ),
    q<{ ip: string; count: number }>('ip, count(*)::int as count', `and ip is not null group by ip order by count desc, ip limit ${TOP}`),
  ]);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: totals[0]?.total ?? 0,
    failures: totals[0]?.failures ?? 0,
    byAction,
    byDay,
    topActors,
    topIps,
  };
}
