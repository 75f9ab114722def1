import type { EntityManager, ServiceContext } from '@plinto/kernel';
import { z } from 'zod';
import { AuditErrors } from './errors';

const DEFAULT_WINDOW_DAYS = 30;
const MAX_WINDOW_DAYS = 366;

export const analyticsInput = z.object({
  from: z.iso.datetime().optional().describe('Inclusive lower bound (default: 30 days before `to`)'),
  to: z.iso.datetime().optional().describe('Exclusive upper bound (default: now)'),
});
export type AnalyticsInput = z.infer<typeof analyticsInput>;

/**
 * Tenant analytics computed from the audit log only (the events the auth and orgs modules already
 * record): nothing is tracked on the request path for them. Needs `audit:read` tenant-wide — these
 * are counts over everybody's events, so there is no "own events" view of them.
 */
export async function getAnalytics(sc: ServiceContext, input: AnalyticsInput) {
  await sc.authz.require('audit:read');
  const to = input.to ? new Date(input.to) : new Date();
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  if (!(from < to)) throw AuditErrors.AUDIT_RANGE_INVALID({ fields: [{ path: 'from', message: 'Must be before to' }] });
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    throw AuditErrors.AUDIT_RANGE_INVALID({ fields: [{ path: 'from', message: `The range is at most ${MAX_WINDOW_DAYS} days` }] });
  }
  return analytics(sc.em, sc.tenant.id, from, to);
}

const DAY = "to_char(date_trunc('day', occurred_at at time zone 'UTC'), 'YYYY-MM-DD')";
const MONTH = "to_char(date_trunc('month', occurred_at at time zone 'UTC'), 'YYYY-MM')";
const SIGNED_IN = "action = 'user.signed_in' and outcome = 'success' and actor_id is not null";

async function analytics(em: EntityManager, tenantId: string, from: Date, to: Date) {
  const range = 'tenant_id = ? and occurred_at >= ? and occurred_at < ?';
  const params = [tenantId, from, to];
  const q = <T>(sql: string) => em.execute<T[]>(sql, params);
  const [perDay, perMonth, byMethod, totals] = await Promise.all([
    q<DayRow>(`
      select ${DAY} as day,
        count(distinct actor_id) filter (where ${SIGNED_IN})::int as "activeUsers",
        count(*) filter (where action = 'user.signed_in')::int as "signIns",
        count(*) filter (where action = 'user.sign_in_failed')::int as "failedSignIns",
        count(*) filter (where action = 'user.locked')::int as lockouts,
        count(*) filter (where action = 'user.created')::int as "signUps",
        count(*) filter (where action = 'mfa.enabled')::int as "mfaEnabled",
        count(*) filter (where action = 'organization.created')::int as "organizationsCreated",
        count(*) filter (where action = 'invitation.accepted')::int as "invitationsAccepted"
      from audit_events where ${range} group by 1 order by 1`),
    q<{ month: string; activeUsers: number }>(`
      select ${MONTH} as month, count(distinct actor_id)::int as "activeUsers"
      from audit_events where ${range} and ${SIGNED_IN} group by 1 order by 1`),
    q<{ method: string; outcome: string; count: number }>(`
      select coalesce(data->>'method', 'unknown') as method, outcome, count(*)::int as count
      from audit_events where ${range} and action in ('user.signed_in', 'user.sign_in_failed')
      group by 1, 2 order by count desc, 1, 2`),
    // MFA adoption: of the users who signed in during the range, how many did so at AAL2 at least once.
    q<{ activeUsers: number; activeUsersWithMfa: number }>(`
      select count(distinct actor_id)::int as "activeUsers",
        count(distinct actor_id) filter (where coalesce((data->>'aal')::int, 1) >= 2)::int as "activeUsersWithMfa"
      from audit_events where ${range} and ${SIGNED_IN}`),
  ]);
  const sum = (key: keyof Omit<DayRow, 'day'>) => perDay.reduce((n, row) => n + row[key], 0);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals: {
      activeUsers: totals[0]?.activeUsers ?? 0,
      activeUsersWithMfa: totals[0]?.activeUsersWithMfa ?? 0,
      signIns: sum('signIns'),
      failedSignIns: sum('failedSignIns'),
      lockouts: sum('lockouts'),
      signUps: sum('signUps'),
      mfaEnabled: sum('mfaEnabled'),
      organizationsCreated: sum('organizationsCreated'),
      invitationsAccepted: sum('invitationsAccepted'),
    },
    perDay,
    perMonth,
    signInsByMethod: byMethod,
  };
}

interface DayRow {
  day: string;
  activeUsers: number;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
  signUps: number;
  mfaEnabled: number;
  organizationsCreated: number;
  invitationsAccepted: number;
}
