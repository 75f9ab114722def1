import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { auditFilterInput } from '../audit.schemas';
import { getAuditStats } from '../audit.service';

const count = z.number().int();

export const auditStatsProcedure = procedure
  .meta({
    permission: 'audit:read',
    openapi: {
      method: 'GET',
      path: '/audit-logs/stats',
      tags: ['audit'],
      summary: 'Counts per action and per day, top actors and IPs, failures (default: the last 30 days)',
      protect: true,
    },
  })
  .input(auditFilterInput)
  .output(
    z.object({
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      total: count,
      failures: count,
      byAction: z.array(z.object({ action: z.string(), count })),
      byDay: z.array(z.object({ day: z.string(), count })),
      topActors: z.array(z.object({ type: z.string(), id: z.string(), count })),
      topIps: z.array(z.object({ ip: z.string(), count })),
    }),
  )
  .query(({ ctx, input }) => getAuditStats(ctx.sc, input));
