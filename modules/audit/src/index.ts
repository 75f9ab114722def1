/**
 * @plinto/audit — the audit log as a product: query with keyset pagination and views, streamed
 * export, stats, the action catalog, retention over daily partitions, a tamper-evident hash chain
 * per tenant, and events appended by a tenant's own backend.
 */
import type { ModuleSchema } from '@plinto/kernel';
import { auditMigrations } from './migrations';
import './actions';

export { auditRouter } from './router';
export { auditConfig, auditConfigSchema } from './config';
export { prepareAuditExport, type PreparedExport } from './export';
export { chainPendingEvents, verifyChain, type IntegrityReport } from './chain';
export { applyRetention } from './retention.service';
export { appendAppEvent, declareAppEventSchema, listAppEventSchemas } from './app-events.service';
export { ensurePartitions, listPartitions } from './partitions';
export { csvCell } from './export.service';
export { exportInput } from './audit.schemas';
export { AuditErrors } from './errors';

export const auditSchema: ModuleSchema = { entities: [], migrations: auditMigrations };
