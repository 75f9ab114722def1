import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { signInOutput } from '../auth.schemas';
import { confirmTotp, disableTotp, enrollTotp, regenerateRecoveryCodes, verifyMfa } from '../services/mfa.service';

const totpCode = z.string().regex(/^\d{6}$/, 'Six digits').describe('The current code of the authenticator app');
const recoveryCode = z.string().min(8).max(40).describe('One of the ten recovery codes');

export const enrollTotpProcedure = procedure
  .meta({
    access: 'self',
    openapi: { method: 'POST', path: '/auth/mfa/totp', tags: ['auth'], summary: 'Start TOTP enrollment: a secret and its otpauth:// URI', protect: true },
    successStatus: 201,
  })
  .input(z.object({}).optional())
  .output(z.object({ secret: z.string().describe('Base32 secret'), otpauthUri: z.string() }))
  .mutation(({ ctx }) => enrollTotp(ctx.sc));

export const confirmTotpProcedure = procedure
  .meta({
    access: 'self',
    openapi: { method: 'POST', path: '/auth/mfa/totp/confirm', tags: ['auth'], summary: 'Confirm TOTP with a first code; returns ten single-use recovery codes', protect: true },
  })
  .input(z.object({ code: totpCode }))
  .output(z.object({ enabled: z.literal(true), recoveryCodes: z.array(z.string()) }))
  .mutation(({ ctx, input }) => confirmTotp(ctx.sc, input.code));

export const disableTotpProcedure = procedure
  .meta({
    access: 'self',
    openapi: {
      method: 'DELETE',
      path: '/auth/mfa/totp',
      tags: ['auth'],
      summary: 'Disable TOTP; re-authenticate with a current code or a recovery code',
      protect: true,
    },
  })
  .input(z.object({ code: totpCode.optional(), recoveryCode: recoveryCode.optional() }))
  .output(z.object({ enabled: z.literal(false) }))
  .mutation(({ ctx, input }) => disableTotp(ctx.sc, input));

export const verifyMfaProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/mfa/verify', tags: ['auth'], summary: 'Complete an MFA challenge with a TOTP code or a recovery code' } })
  .input(z.object({ challengeToken: z.string().min(16).max(200), code: totpCode.optional(), recoveryCode: recoveryCode.optional() }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => verifyMfa(ctx.sc, input));

export const regenerateRecoveryCodesProcedure = procedure
  .meta({
    access: 'self',
    openapi: { method: 'POST', path: '/auth/mfa/recovery-codes', tags: ['auth'], summary: 'Replace your ten recovery codes (re-authenticate with a current TOTP code); the old ones stop working', protect: true },
  })
  .input(z.object({ code: totpCode }))
  .output(z.object({ recoveryCodes: z.array(z.string()) }))
  .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.sc, input));
