/**
 * @plinto/audit — the audit log as a product: query with keyset pagination and views, streamed
 * export, stats, the action catalog, retention over daily partitions, a tamper-evident hash chain
 * per tenant, and events appended by a tenant's own backend.
 */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import { auditMigrations } from './migrations';
import { AuditEvents } from './events';
import { auditRouter } from './router';
import { auditConfigSchema } from './config';
import { auditPartitionsTask, auditRetentionTask, auditTenantSettings } from './maintenance';
import { auditAppendKeysTask } from './append-keys';
import { getAnalytics } from './analytics.service';
import { cleanupAuditLogs, getAuditLog, getAuditStats, listAuditLogs, verifyAuditIntegrity } from './audit.service';
import { appendAppEvent, declareAppEventSchema, listAppEventSchemas } from './app-events.service';
import { listActions } from './actions';
import { appendAppEvents } from './batch-append.service';
import { prepareAuditExport } from './export';

export { auditRouter } from './router';
export { auditConfig, auditConfigSchema } from './config';
export { prepareAuditExport, type PreparedExport } from './export';
export { chainPendingEvents, verifyChain, UNCHAINED_PROBE_SQL, UNCHAINED_READ_SQL, type IntegrityReport } from './chain';
export { applyRetention } from './retention.service';
export { appendAppEvent, declareAppEventSchema, listAppEventSchemas } from './app-events.service';
export { appendAppEvents, MAX_BATCH_EVENTS, type BatchEventInput, type BatchAppendResult } from './batch-append.service';
export { ensurePartitions, listPartitions } from './partitions';
export { csvCell } from './export.service';
export { exportInput } from './audit.schemas';
export { AuditErrors } from './errors';
export { AuditEvents } from './events';
export { auditTenantSettings } from './maintenance';

export const auditSchema: ModuleSchema = { entities: [], migrations: auditMigrations };

export const auditModule = defineModule({
  name: 'audit',
  routers: { auditLogs: auditRouter },
  schema: auditSchema,
  events: [AuditEvents],
  config: auditConfigSchema,
  tenantSettings: auditTenantSettings,
  services: {
    listAuditLogs,
    getAuditLog,
    getAuditStats,
    getAnalytics,
    prepareAuditExport,
    cleanupAuditLogs,
    verifyAuditIntegrity,
    declareAppEventSchema,
    listAppEventSchemas,
    appendAppEvent,
    appendAppEvents,
    listActions,
  },
  maintenance: [auditPartitionsTask, auditRetentionTask, auditAppendKeysTask],
});
