import { router } from '@plinto/kernel';
import { listAuditLogsProcedure } from './procedures/list-audit-logs';
import { getAuditLogProcedure } from './procedures/get-audit-log';
import { auditStatsProcedure } from './procedures/audit-stats';
import { auditAnalyticsProcedure } from './procedures/audit-analytics';
import { auditActionsProcedure } from './procedures/audit-actions';
import { cleanupAuditLogsProcedure } from './procedures/cleanup-audit-logs';
import { verifyAuditIntegrityProcedure } from './procedures/verify-audit-integrity';
import { appendEventProcedure, declareSchemaProcedure, listSchemasProcedure } from './procedures/app-events';
import { exportAuditLogsProcedure } from './procedures/export-audit-logs';
import { appendBatchProcedure } from './procedures/append-batch';

// `get` (GET /audit-logs/{id}) is last: REST routes match in order, and a path parameter would
// otherwise swallow the static paths (/audit-logs/stats, /audit-logs/integrity, ...).
export const auditRouter = router({
  list: listAuditLogsProcedure,
  stats: auditStatsProcedure,
  analytics: auditAnalyticsProcedure,
  actions: auditActionsProcedure,
  export: exportAuditLogsProcedure,
  cleanup: cleanupAuditLogsProcedure,
  integrity: verifyAuditIntegrityProcedure,
  declareSchema: declareSchemaProcedure,
  schemas: listSchemasProcedure,
  append: appendEventProcedure,
  appendMany: appendBatchProcedure,
  get: getAuditLogProcedure,
});
