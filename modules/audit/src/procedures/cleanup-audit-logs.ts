import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { cleanupAuditLogs } from '../audit.service';

export const cleanupAuditLogsProcedure = procedure
  .meta({
    permission: 'audit:manage',
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
  .mutation(({ ctx }) => cleanupAuditLogs(ctx.sc));
