import { z } from 'zod';
import { userOutput } from '../auth.schemas';
import { getUserSnapshot } from '../services/users.service';
import { signedInProcedure } from './base';

export const currentSessionProcedure = signedInProcedure
  .meta({ openapi: { method: 'GET', path: '/auth/session', tags: ['auth'], summary: 'The signed-in user and how this session authenticated', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ sessionId: z.uuid(), amr: z.array(z.string()), aal: z.number().int(), user: userOutput }))
  .query(async ({ ctx }) => {
    const attributes = ctx.principal.attributes as { sessionId: string; amr: string[]; aal: number };
    return { sessionId: attributes.sessionId, amr: attributes.amr, aal: attributes.aal, user: await getUserSnapshot(ctx.em, ctx.tenant.id, ctx.userId) };
  });
