import { z } from 'zod';
import type { MaintenanceTask } from '@plinto/kernel';
import { auditConfig } from './config';
import { ensurePartitions } from './partitions';
import { applyRetention } from './retention.service';

const DAY_MS = 86_400_000;

/** The audit section of a tenant's settings (read in SQL by retention, see retention.service.ts). */
export const auditTenantSettings = z.object({
  auditRetentionDays: z.number().int().min(1).max(3650).optional().describe('Days audit events are kept (default AUDIT_LOG_RETENTION_DAYS)'),
});

/** Keep tomorrow's (and the next weeks') audit partitions ready before the first event of the day arrives. */
export const auditPartitionsTask: MaintenanceTask = {
  name: 'audit.partitions',
  everyMs: 6 * 60 * 60 * 1000,
  run: async ({ orm, config, logger }) => {
    const ahead = auditConfig(config).AUDIT_PARTITIONS_AHEAD_DAYS;
    const created = await ensurePartitions(orm.em.fork(), Date.now() - DAY_MS, ahead + 1, logger);
    return { created: created.length };
  },
};

/** Audit retention: drop expired daily partitions, delete rows only where a tenant keeps less. */
export const auditRetentionTask: MaintenanceTask = {
  name: 'audit.retention',
  everyMs: 60 * 60 * 1000,
  run: async ({ orm, config, logger }) => {
    const result = await applyRetention(orm.em.fork(), { defaultDays: auditConfig(config).AUDIT_LOG_RETENTION_DAYS, logger });
    return { dropped: result.droppedPartitions.length, deletedRows: result.deletedRows };
  },
};
