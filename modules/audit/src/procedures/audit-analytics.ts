import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { analyticsInput, getAnalytics } from '../analytics.service';

const count = z.number().int();

export const auditAnalyticsProcedure = procedure
  .meta({
    permission: 'audit:read',
    openapi: {
      method: 'GET',
      path: '/audit-logs/analytics',
      tags: ['audit'],
      summary: 'Tenant analytics from the audit log: active users, sign-ins by method and outcome, failed sign-ins, lockouts, MFA adoption, organizations, invitations',
      protect: true,
    },
  })
  .input(analyticsInput)
  .output(
    z.object({
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      totals: z.object({
        activeUsers: count,
        activeUsersWithMfa: count,
        signIns: count,
        failedSignIns: count,
        lockouts: count,
        signUps: count,
        mfaEnabled: count,
        organizationsCreated: count,
        invitationsAccepted: count,
      }),
      perDay: z.array(
        z.object({
          day: z.string(),
          activeUsers: count,
          signIns: count,
          failedSignIns: count,
          lockouts: count,
          signUps: count,
          mfaEnabled: count,
          organizationsCreated: count,
          invitationsAccepted: count,
        }),
      ),
      perMonth: z.array(z.object({ month: z.string(), activeUsers: count })),
      signInsByMethod: z.array(z.object({ method: z.string(), outcome: z.string(), count })),
    }),
  )
  .query(({ ctx, input }) => getAnalytics(ctx.sc, input));
