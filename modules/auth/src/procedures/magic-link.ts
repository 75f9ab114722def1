import { z } from 'zod';
import { acceptedOutput, emailInput, signInOutput, tokenInput } from '../auth.schemas';
import { consumeMagicLink, requestMagicLink } from '../services/recovery.service';
import { authDeps, authTenantProcedure } from './base';

export const requestMagicLinkProcedure = authTenantProcedure
  .meta({
    openapi: { method: 'POST', path: '/auth/magic-link', tags: ['auth'], summary: 'Email a sign-in link (202 whether or not the account exists)' },
    successStatus: 202,
  })
  .input(z.object({ email: emailInput }))
  .output(acceptedOutput)
  .mutation(({ ctx, input }) => requestMagicLink(authDeps(ctx), input.email));

export const consumeMagicLinkProcedure = authTenantProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/auth/magic-link/consume',
      tags: ['auth'],
      summary: 'Sign in with the emailed link token (only this POST consumes it; single use)',
    },
  })
  .input(z.object({ token: tokenInput }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => consumeMagicLink(authDeps(ctx), input.token));
