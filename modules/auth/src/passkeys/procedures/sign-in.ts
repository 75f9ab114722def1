import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { signInOutput } from '../../auth.schemas';
import { passkeyMfaOptions, passkeySignIn, passkeySignInOptions, verifyPasskeyMfa } from '../authentication.service';
import { authenticationResponse, ceremonyId, ceremonyOutput } from '../schemas';

const TAGS = ['auth'];
const challengeToken = z.string().min(16).max(200).describe('The challengeToken of the mfa_required answer');

export const passkeySignInOptionsProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/passkey/options', tags: TAGS, summary: 'Sign in with a passkey, step 1: request options for a discoverable credential (button or autofill)' } })
  .input(z.object({}).optional())
  .output(ceremonyOutput)
  .mutation(({ ctx }) => passkeySignInOptions(ctx.sc));

export const passkeySignInProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/passkey', tags: TAGS, summary: "Sign in with a passkey, step 2: the browser's assertion" } })
  .input(z.object({ ceremonyId, response: authenticationResponse }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => passkeySignIn(ctx.sc, input));

export const passkeyMfaOptionsProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/mfa/passkey/options', tags: TAGS, summary: "A passkey as the second factor, step 1: request options for the challenged user's passkeys" } })
  .input(z.object({ challengeToken }))
  .output(ceremonyOutput)
  .mutation(({ ctx, input }) => passkeyMfaOptions(ctx.sc, input));

export const verifyMfaPasskeyProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/mfa/passkey', tags: TAGS, summary: 'A passkey as the second factor, step 2: complete the MFA challenge' } })
  .input(z.object({ challengeToken, ceremonyId, response: authenticationResponse }))
  .output(signInOutput)
  .mutation(({ ctx, input }) => verifyPasskeyMfa(ctx.sc, input));
