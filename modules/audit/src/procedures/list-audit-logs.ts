import { pageOf, procedure } from '@plinto/kernel';
import { auditEventOutput, auditListInput } from '../audit.schemas';
import { listAuditLogs } from '../audit.service';

export const listAuditLogsProcedure = procedure
  .meta({
    permission: 'audit:read',
    openapi: {
      method: 'GET',
      path: '/audit-logs',
      tags: ['audit'],
      summary: "Query audit events, newest first (tenant admins: the tenant's; organization admins: the organization's; users: their own)",
      protect: true,
    },
  })
  .input(auditListInput)
  .output(pageOf(auditEventOutput))
  .query(({ ctx, input }) => listAuditLogs(ctx.sc, input));
