import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { userOutput } from '../auth.schemas';
import { currentSession } from '../services/session-access.service';

export const currentSessionProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/auth/session', tags: ['auth'], summary: 'The signed-in user and how this session authenticated', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ sessionId: z.uuid(), amr: z.array(z.string()), aal: z.number().int(), user: userOutput }))
  .query(({ ctx }) => currentSession(ctx.sc));
