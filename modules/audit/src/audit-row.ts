import type { AuditEventDto } from './audit.schemas';

/** An audit_events row as PostgreSQL returns it (snake_case). */
export interface AuditRow {
  id: string;
  tenant_id: string | null;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  source: 'plinto' | 'app';
  target_type: string | null;
  target_id: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
  chain_seq: string | null;
  chain_hash: string | null;
}

export const AUDIT_COLUMNS =
  'id, tenant_id, organization_id, actor_type, actor_id, action, source, target_type, target_id, outcome, ip, user_agent, request_id, data, occurred_at, chain_seq, chain_hash';

export function toAuditDto(row: AuditRow): AuditEventDto {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    organizationId: row.organization_id,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    source: row.source,
    target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    data: row.data,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}
