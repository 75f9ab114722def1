import { z } from 'zod';
import { acceptedOutput, emailInput, signInOutput, tokenInput } from '../auth.schemas';
import { consumeMagicLink, requestMagicLink } from '../services/recovery.service';
import { procedure } from '@plinto/kernel';

export const requestMagicLinkProcedure = procedure
  .meta({
    access: 'public',
    openapi: { method: 'POST', path: '/auth/magic-link', tags: ['auth'], summary: 'Email a sign-in link (202 whether or not the account exists)' },
    successStatus: 202,
  })
  .input(z.object({ email: emailInput }))
  .output(acceptedOutput)
  .mutation(({ ctx, input }) => requestMagicLink(ctx.sc, input.email));

export const consumeMagicLinkProcedure = procedure
  .meta({
    access: 'public',
    openapi: {
      method: 'POST',
      path: '/auth/magic-link/consume',
      tags: ['auth'],
      summary: 'Sign in with the emailed link token (only this POST consumes it; single use)',
    },
  })
  .input(z.object({ token: tokenInput }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => consumeMagicLink(ctx.sc, input.token));
