import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { auditEventOutput } from '../audit.schemas';
import { getAuditLog } from '../audit.service';

export const getAuditLogProcedure = procedure
  .meta({
    permission: 'audit:read',
    openapi: { method: 'GET', path: '/audit-logs/{id}', tags: ['audit'], summary: 'One audit event', protect: true },
  })
  .input(z.object({ id: z.uuid(), organizationId: z.uuid().optional() }))
  .output(auditEventOutput)
  .query(({ ctx, input }) => getAuditLog(ctx.sc, input.id, input.organizationId));
