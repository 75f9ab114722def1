import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { passwordInput, userOutput } from '../auth.schemas';
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
