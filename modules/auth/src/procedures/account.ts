import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { emailInput, passwordInput, tokenInput, userOutput } from '../auth.schemas';
import { confirmEmailChange, requestEmailChange } from '../services/email-change.service';
import { changeMyPassword, updateMyProfile } from '../services/account.service';

export const updateProfileProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'PATCH', path: '/me/profile', tags: ['auth'], summary: 'Change your own profile (display name)', protect: true } })
  .input(z.object({ displayName: z.string().trim().max(200).nullable().describe('Shown in the account page and emails; null or empty clears it') }))
  .output(userOutput)
  .mutation(({ ctx, input }) => updateMyProfile(ctx.sc, { displayName: input.displayName || null }));

export const changePasswordProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'POST', path: '/me/password', tags: ['auth'], summary: 'Change your own password (proving the current one); your other sessions end', protect: true } })
  .input(z.object({ currentPassword: passwordInput, newPassword: passwordInput }))
  .output(z.object({ status: z.literal('password_changed'), sessionsRevoked: z.number().int() }))
  .mutation(({ ctx, input }) => changeMyPassword(ctx.sc, input));

export const requestEmailChangeProcedure = procedure
  .meta({
    access: 'self',
    openapi: { method: 'POST', path: '/me/email', tags: ['auth'], summary: 'Ask to change your email address: a link goes to the new address, nothing changes until it is confirmed', protect: true },
    successStatus: 202,
  })
  .input(
    z.object({
      newEmail: emailInput,
      currentPassword: passwordInput.optional().describe('Your current password; may be left out within five minutes of signing in'),
    }),
  )
  .output(z.object({ status: z.literal('confirmation_sent'), expiresAt: z.string().describe('When the emailed link stops working') }))
  .mutation(({ ctx, input }) => requestEmailChange(ctx.sc, input));

export const confirmEmailChangeProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/email/change/confirm', tags: ['auth'], summary: 'Confirm an email change with the token of the link mailed to the new address' } })
  .input(z.object({ token: tokenInput }))
  .output(z.object({ status: z.literal('email_changed'), user: userOutput }))
  .mutation(({ ctx, input }) => confirmEmailChange(ctx.sc, input.token));
