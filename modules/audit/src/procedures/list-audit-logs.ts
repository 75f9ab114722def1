import { authedProcedure, pageOf } from '@plinto/kernel';
import { auditEventOutput, auditListInput } from '../audit.schemas';
import { listAuditEvents } from '../query.service';
import { resolveScope } from '../scope';

export const listAuditLogsProcedure = authedProcedure
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
  .query(async ({ ctx, input }) => listAuditEvents(ctx.em, await resolveScope(ctx, input.organizationId), input));
