import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { listActions } from '../actions';

export const auditActionsProcedure = procedure
  .meta({
    access: 'self',
    openapi: {
      method: 'GET',
      path: '/audit-logs/actions/list',
      tags: ['audit'],
      summary: "Every action that can appear in the log, with a description (Plinto's and the tenant application's)",
      protect: true,
    },
  })
  .input(z.object({}).optional())
  .output(
    z.object({
      items: z.array(z.object({ action: z.string(), description: z.string(), source: z.enum(['plinto', 'app']), module: z.string().nullable() })),
    }),
  )
  .query(({ ctx }) => listActions(ctx.sc));
