import { z } from 'zod';
import { tokenInput, userOutput } from '../auth.schemas';
import { verifyEmail } from '../services/recovery.service';
import { procedure } from '@plinto/kernel';

export const verifyEmailProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/email/verify', tags: ['auth'], summary: 'Verify an email address with the emailed token' } })
  .input(z.object({ token: tokenInput }))
  .output(z.object({ status: z.literal('verified'), user: userOutput }))
  .mutation(({ ctx, input }) => verifyEmail(ctx.sc, input.token));
