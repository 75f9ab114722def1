import { decodeCursor, toPage, type EntityManager } from '@plinto/kernel';
import { AUDIT_COLUMNS, toAuditDto, type AuditRow } from './audit-row';
import { AuditErrors } from './errors';
import { whereClause } from './query';
import { uuidv7Time } from './uuid-time';
import type { AuditFilters } from './audit.schemas';
import type { AuditScope } from './scope';

/** Newest first, keyset-paginated on the (time-ordered) id: correct while events keep arriving. */
export async function listAuditEvents(em: EntityManager, scope: AuditScope, input: AuditFilters & { limit: number; cursor?: string }) {
  const before = decodeCursor(input.cursor);
  const where = whereClause(scope, input, before);
  const rows = await em.execute<AuditRow[]>(
    `select ${AUDIT_COLUMNS} from audit_events where ${where.sql} order by id desc limit ?`,
    [...where.params, input.limit + 1],
  );
  return toPage(rows, input.limit, toAuditDto);
}

/** One event in the caller's view; "in another tenant" and "does not exist" are the same 404. */
export async function getAuditEvent(em: EntityManager, scope: AuditScope, id: string) {
  const where = whereClause(scope, {});
  const time = uuidv7Time(id);
  // The id's own instant pins the partition; an id that is not a UUIDv7 is looked up by itself.
  const instant = time === null ? { sql: '', params: [] } : { sql: 'occurred_at >= ? and occurred_at < ? and ', params: [new Date(time), new Date(time + 1)] };
  const [row] = await em.execute<AuditRow[]>(
    `select ${AUDIT_COLUMNS} from audit_events where id = ? and ${instant.sql}${where.sql}`,
    [id, ...instant.params, ...where.params],
  );
  if (!row) throw AuditErrors.AUDIT_EVENT_NOT_FOUND();
  return toAuditDto(row);
}
