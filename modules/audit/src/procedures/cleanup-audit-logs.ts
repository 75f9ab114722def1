import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { applyRetention } from '../retention.service';
import { auditConfig } from '../config';

export const cleanupAuditLogsProcedure = protectedProcedure('audit:manage')
  .meta({
    openapi: {
      method: 'DELETE',
      path: '/audit-logs/cleanup',
      tags: ['audit'],
      summary: "Apply this tenant's retention now: remove events older than it (the chain point is recorded)",
      protect: true,
    },
  })
  .input(z.object({}).optional())
  .output(z.object({ deletedRows: z.number().int(), checkpoints: z.number().int(), droppedPartitions: z.array(z.string()) }))
  .mutation(({ ctx }) =>
    applyRetention(ctx.em, { defaultDays: auditConfig(ctx.config).AUDIT_LOG_RETENTION_DAYS, onlyTenant: ctx.tenant.id, logger: ctx.logger }),
  );
