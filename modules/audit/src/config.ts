import { z } from 'zod';
import { readConfigSection, type Config } from '@plinto/kernel';

export const auditConfigSchema = z.object({
  /** Days an audit event is kept (a tenant's `auditRetentionDays` setting overrides it). */
  AUDIT_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Most rows one export returns. */
  AUDIT_EXPORT_MAX_RECORDS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** How often the chainer looks for committed, unchained events. */
  AUDIT_CHAIN_INTERVAL_MS: z.coerce.number().int().min(10).default(250),
  /** Daily partitions kept ready ahead of today. */
  AUDIT_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** Hours a batch append's idempotency key is remembered (a retry within them appends nothing twice). */
  AUDIT_APPEND_KEY_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
});

export const auditConfig = (config: Config) => readConfigSection(config, auditConfigSchema);
