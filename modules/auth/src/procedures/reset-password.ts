import { z } from 'zod';
import { passwordInput, tokenInput } from '../auth.schemas';
import { resetPassword } from '../services/recovery.service';
import { procedure } from '@plinto/kernel';

export const resetPasswordProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/password/reset', tags: ['auth'], summary: 'Set a new password with the emailed token; ends every session' } })
  .input(z.object({ token: tokenInput, password: passwordInput }))
  .output(z.object({ status: z.literal('password_reset') }))
  .mutation(({ ctx, input }) => resetPassword(ctx.sc, input));
