import { z } from 'zod';
import { authedProcedure } from '@plinto/kernel';
import { auditFilterInput } from '../audit.schemas';
import { auditStats } from '../stats.service';
import { resolveScope } from '../scope';

const count = z.number().int();

export const auditStatsProcedure = authedProcedure
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
  .query(async ({ ctx, input }) => auditStats(ctx.em, await resolveScope(ctx, input.organizationId), input));
