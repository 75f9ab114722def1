import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

/** The events this module records (the audit action catalog and the webhook event types). */
export const AuditEvents = defineEvents('audit', {
  'audit.retention_applied': {
    description: 'Retention removed audit events older than the retention period (records where the chain was cut)',
    data: z.object({
      droppedPartitions: z.array(z.string()),
      deletedRows: z.number(),
      checkpoints: z.number(),
      cutoffs: z.array(z.object({ tenantId: z.uuid().nullable(), before: z.string(), seq: z.number() })),
    }),
  },
  'audit.schema_declared': {
    description: "A tenant declared (or changed) the schema of one of its application's audit event types",
    data: z.object({ action: z.string() }),
  },
  'audit.exported': {
    description: 'Audit events were exported',
    data: z.object({ format: z.enum(['jsonl', 'csv']), limit: z.number().int(), filters: z.record(z.string(), z.unknown()) }),
  },
});
