import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { verifyAuditIntegrity } from '../audit.service';

const problem = z.union([
  z.object({ kind: z.literal('edited'), eventId: z.string(), seq: z.number() }),
  z.object({ kind: z.literal('removed'), seq: z.number(), afterEventId: z.string().nullable() }),
  z.object({ kind: z.literal('inserted'), eventId: z.string(), seq: z.number().nullable() }),
]);

export const verifyAuditIntegrityProcedure = procedure
  .meta({
    permission: 'audit:verify',
    openapi: {
      method: 'GET',
      path: '/audit-logs/integrity',
      tags: ['audit'],
      summary: "Verify the tenant's hash chain; names the first edited, inserted or removed event",
      protect: true,
    },
  })
  .input(z.object({}).optional())
  .output(
    z.object({
      ok: z.boolean(),
      checked: z.number().int(),
      fromSeq: z.number().int(),
      headSeq: z.number().int(),
      pending: z.number().int(),
      firstProblem: problem.nullable(),
    }),
  )
  .query(({ ctx }) => verifyAuditIntegrity(ctx.sc));
