import { CommonErrors, recordEvent, type ServiceContext } from '@plinto/kernel';
import { exportInput } from './audit.schemas';
import { auditConfig } from './config';
import { exportAuditEvents, exportContentType } from './export.service';
import { resolveScope } from './scope';
import { AuditEvents } from './events';

export interface PreparedExport {
  contentType: string;
  filename: string;
  limit: number;
  chunks: AsyncIterable<string>;
}

/**
 * Validates an export request, decides the caller's view, records that the export happened, and
 * returns the stream. Used by both the REST route (POST /v1/audit-logs/export, streamed by the api
 * process) and the tRPC procedure (a streamed query).
 */
export async function prepareAuditExport(sc: ServiceContext, rawInput: unknown): Promise<PreparedExport> {
  const parsed = exportInput.safeParse(rawInput ?? {});
  if (!parsed.success) {
    throw CommonErrors.VALIDATION_FAILED({
      fields: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message, code: i.code })),
    });
  }
  const input = parsed.data;
  const scope = await resolveScope(sc, input.organizationId);
  const cap = auditConfig(sc.config).AUDIT_EXPORT_MAX_RECORDS;
  const limit = Math.min(input.limit ?? cap, cap);
  await sc.em.fork().transactional(async (tx) => {
    recordEvent(tx, sc.actor, AuditEvents.of('audit.exported', {
      tenantId: scope.tenantId,
      organizationId: scope.kind === 'organization' ? scope.organizationId : null,
      data: { format: input.format, limit, filters: { ...input, format: undefined, limit: undefined } },
    }));
  });
  return {
    contentType: exportContentType(input.format),
    filename: `audit-logs-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${input.format === 'csv' ? 'csv' : 'jsonl'}`,
    limit,
    chunks: exportAuditEvents(sc.em, scope, input, cap),
  };
}
