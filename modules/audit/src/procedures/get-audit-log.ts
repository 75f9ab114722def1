import { z } from 'zod';
import { authedProcedure } from '@plinto/kernel';
import { auditEventOutput } from '../audit.schemas';
import { getAuditEvent } from '../query.service';
import { resolveScope } from '../scope';

export const getAuditLogProcedure = authedProcedure
  .meta({
    permission: 'audit:read',
    openapi: { method: 'GET', path: '/audit-logs/{id}', tags: ['audit'], summary: 'One audit event', protect: true },
  })
  .input(z.object({ id: z.uuid(), organizationId: z.uuid().optional() }))
  .output(auditEventOutput)
  .query(async ({ ctx, input }) => getAuditEvent(ctx.em, await resolveScope(ctx, input.organizationId), input.id));
