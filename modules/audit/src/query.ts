import { uuidv7Time } from './uuid-time';
import type { AuditFilters } from './audit.schemas';
import type { AuditScope } from './scope';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE clause for a scope and filters. Every value is a bound parameter; nothing from the
 * caller is spliced into the SQL text. `before` (an event id) makes it a keyset page.
 */
export function whereClause(scope: AuditScope, filters: AuditFilters, before?: string): SqlFragment {
  const clauses: string[] = ['tenant_id = ?'];
  const params: unknown[] = [scope.tenantId];
  const add = (sql: string, ...values: unknown[]) => {
    clauses.push(sql);
    params.push(...values);
  };
  if (scope.kind === 'organization') add('organization_id = ?', scope.organizationId);
  if (scope.kind === 'self') add("(actor_id = ? or (target_type = 'user' and target_id = ?))", scope.principalId, scope.principalId);

  if (filters.actorId) add('actor_id = ?', filters.actorId);
  if (filters.actorType) add('actor_type = ?', filters.actorType);
  if (filters.action) {
    const prefix = filters.action.endsWith('*') ? filters.action.slice(0, -1) : filters.action.endsWith('.') ? filters.action : null;
    if (prefix !== null) add("action like ? escape '\\'", `${escapeLike(prefix)}%`);
    else add('action = ?', filters.action);
  }
  if (filters.targetType) add('target_type = ?', filters.targetType);
  if (filters.targetId) add('target_id = ?', filters.targetId);
  if (filters.organizationId) add('organization_id = ?', filters.organizationId);
  if (filters.from) add('occurred_at >= ?', new Date(filters.from));
  if (filters.to) add('occurred_at < ?', new Date(filters.to));
  if (filters.ip) add('ip = ?', filters.ip);
  if (filters.outcome) add('outcome = ?', filters.outcome);
  if (filters.source) add('source = ?', filters.source);
  if (before) {
    // Ids are UUIDv7 minted from the same instant as occurred_at: bounding the time too lets
    // PostgreSQL skip every partition newer than the cursor.
    add('id < ?', before);
    const time = uuidv7Time(before);
    if (time !== null) add('occurred_at < ?', new Date(time + 1));
  }
  return { sql: clauses.join(' and '), params };
}
