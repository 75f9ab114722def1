import { z } from 'zod';
import { publicProcedure, router } from '@plinto/kernel';

/** Liveness over the API surfaces themselves; also the baseline public procedure in bench/. */
export const systemRouter = router({
  ping: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/ping', tags: ['system'], summary: 'Answers pong; needs no credential', protect: false } })
    .input(z.object({}).optional())
    .output(z.object({ pong: z.literal(true) }))
    .query(() => ({ pong: true as const })),
});
