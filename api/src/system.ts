import { z } from 'zod';
import { procedure, publicProcedure, requirePrincipal, router } from '@plinto/kernel';

/** Liveness over the API surfaces themselves; also the baseline procedures in bench/. */
export const systemRouter = router({
  ping: publicProcedure
    .meta({ access: 'public', openapi: { method: 'GET', path: '/ping', tags: ['system'], summary: 'Answers pong; needs no credential', protect: false } })
    .input(z.object({}).optional())
    .output(z.object({ pong: z.literal(true) }))
    .query(() => ({ pong: true as const })),
  /** The credential check alone (no database work): the baseline protected procedure in bench/. */
  whoami: procedure
    .meta({ access: 'self', openapi: { method: 'GET', path: '/whoami', tags: ['system'], summary: "The caller's principal kind and id, from its credential alone", protect: true } })
    .input(z.object({}).optional())
    .output(z.object({ kind: z.string(), id: z.string(), tenantId: z.string().nullable() }))
    .query(({ ctx }) => {
      const principal = requirePrincipal(ctx.sc);
      return { kind: principal.kind, id: principal.id, tenantId: principal.tenantId };
    }),
});
