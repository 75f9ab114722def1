import { z } from 'zod';
import { acceptedOutput, emailInput } from '../auth.schemas';
import { requestPasswordReset } from '../services/recovery.service';
import { procedure } from '@plinto/kernel';

export const forgotPasswordProcedure = procedure
  .meta({
    access: 'public',
    openapi: { method: 'POST', path: '/auth/password/forgot', tags: ['auth'], summary: 'Email a password reset link (202 whether or not the account exists)' },
    successStatus: 202,
  })
  .input(z.object({ email: emailInput }))
  .output(acceptedOutput)
  .mutation(({ ctx, input }) => requestPasswordReset(ctx.sc, input.email));
