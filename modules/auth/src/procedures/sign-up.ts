import { z } from 'zod';
import { acceptedOutput, emailInput, passwordInput } from '../auth.schemas';
import { signUp } from '../services/sign-up.service';
import { procedure } from '@plinto/kernel';

export const signUpProcedure = procedure
  .meta({
    access: 'public',
    openapi: {
      method: 'POST',
      path: '/auth/sign-up',
      tags: ['auth'],
      summary: 'Sign up with email and password. Answers 202 whether or not the email is taken; the mailbox gets the next step.',
    },
    successStatus: 202,
  })
  .input(
    z.object({
      email: emailInput,
      password: passwordInput,
      displayName: z.string().trim().min(1).max(200).optional(),
      metadata: z.record(z.string(), z.unknown()).optional().describe('Application data stored with the user'),
    }),
  )
  .output(acceptedOutput)
  .mutation(({ ctx, input }) => signUp(ctx.sc, input));
