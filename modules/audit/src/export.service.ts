import type { EntityManager } from '@plinto/kernel';
import { AUDIT_COLUMNS, toAuditDto, type AuditRow } from './audit-row';
import { whereClause } from './query';
import type { AuditEventDto, ExportInput } from './audit.schemas';
import type { AuditScope } from './scope';

const BATCH = 1000;

const CSV_COLUMNS = [
  'id', 'occurredAt', 'tenantId', 'organizationId', 'actorType', 'actorId', 'action', 'source',
  'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'requestId', 'data',
] as const;

/**
 * One CSV cell. Quoted when needed, and never interpretable as a spreadsheet formula: a value that
 * starts with = + - @ or a tab/CR is prefixed with an apostrophe (OWASP's CSV injection advice).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(event: AuditEventDto): string {
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: event.id,
    occurredAt: event.occurredAt,
    tenantId: event.tenantId,
    organizationId: event.organizationId,
    actorType: event.actor.type,
    actorId: event.actor.id,
    action: event.action,
    source: event.source,
    targetType: event.target?.type,
    targetId: event.target?.id,
    outcome: event.outcome,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    data: event.data,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(values[c])).join(',')}\r\n`;
}

export const exportContentType = (format: ExportInput['format']) =>
  format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';

/**
 * The export as a stream of text chunks, newest first, read in keyset batches so memory stays flat
 * however many rows there are. Stops after `limit` rows (never more than the configured cap).
 */
export async function* exportAuditEvents(em: EntityManager, scope: AuditScope, input: ExportInput, cap: number): AsyncGenerator<string> {
  const limit = Math.min(input.limit ?? cap, cap);
  if (input.format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  let before: string | undefined;
  let sent = 0;
  while (sent < limit) {
    const where = whereClause(scope, input, before);
    const rows = await em.execute<AuditRow[]>(
      `select ${AUDIT_COLUMNS} from audit_events where ${where.sql} order by id desc limit ?`,
      [...where.params, Math.min(BATCH, limit - sent)],
    );
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) {
      const dto = toAuditDto(row);
      chunk += input.format === 'csv' ? csvLine(dto) : `${JSON.stringify(dto)}\n`;
    }
    sent += rows.length;
    before = rows[rows.length - 1]!.id;
    yield chunk;
  }
}
