import { z } from 'zod';
import { emailInput, passwordInput, signInOutput } from '../auth.schemas';
import { signIn } from '../services/sign-in.service';
import { procedure } from '@plinto/kernel';

export const signInProcedure = procedure
  .meta({
    access: 'public',
    openapi: {
      method: 'POST',
      path: '/auth/sign-in',
      tags: ['auth'],
      summary: 'Sign in with email and password: a session, or an MFA challenge for enrolled users',
    },
  })
  .input(z.object({ email: emailInput, password: passwordInput }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => signIn(ctx.sc, input));
