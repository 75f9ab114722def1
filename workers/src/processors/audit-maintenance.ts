import { applyRetention, auditConfig, ensurePartitions } from '@plinto/audit';
import type { ScheduledTask } from './maintenance';

const DAY_MS = 86_400_000;

/** Keep tomorrow's (and the next weeks') audit partitions ready before the first event of the day arrives. */
export const auditPartitionsTask: ScheduledTask = {
  name: 'audit.partitions',
  everyMs: 6 * 60 * 60 * 1000,
  run: async ({ orm, config, logger }) => {
    const ahead = auditConfig(config).AUDIT_PARTITIONS_AHEAD_DAYS;
    const created = await ensurePartitions(orm.em.fork(), Date.now() - DAY_MS, ahead + 1, logger);
    return { created: created.length };
  },
};

/** Audit retention: drop expired daily partitions, delete rows only where a tenant keeps less. */
export const auditRetentionTask: ScheduledTask = {
  name: 'audit.retention',
  everyMs: 60 * 60 * 1000,
  run: async ({ orm, config, logger }) => {
    const result = await applyRetention(orm.em.fork(), { defaultDays: auditConfig(config).AUDIT_LOG_RETENTION_DAYS, logger });
    return { dropped: result.droppedPartitions.length, deletedRows: result.deletedRows };
  },
};
