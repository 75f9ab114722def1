import { z } from 'zod';
import { acceptedOutput, emailInput } from '../auth.schemas';
import { requestPasswordReset } from '../services/recovery.service';
import { authDeps, authTenantProcedure } from './base';

export const forgotPasswordProcedure = authTenantProcedure
  .meta({
    openapi: { method: 'POST', path: '/auth/password/forgot', tags: ['auth'], summary: 'Email a password reset link (202 whether or not the account exists)' },
    successStatus: 202,
  })
  .input(z.object({ email: emailInput }))
  .output(acceptedOutput)
  .mutation(({ ctx, input }) => requestPasswordReset(authDeps(ctx), input.email));
