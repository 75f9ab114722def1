import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { tokenResponseShape } from '../tokens/issue';
import { listSigningKeys, refreshTokens, rotateSigningKeyNow } from '../tokens/keys.service';

export const refreshProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'POST', path: '/auth/refresh', tags: ['auth'], summary: 'Exchange a refresh token for new tokens (rotates the refresh token)' } })
  .input(z.object({ refresh_token: z.string().min(10).max(200) }))
  .output(z.object(tokenResponseShape))
  .mutation(({ ctx, input }) => refreshTokens(ctx.sc, input.refresh_token));

const signingKeyOutput = z
  .object({
    kid: z.string(),
    alg: z.enum(['EdDSA', 'ES256']),
    status: z.enum(['current', 'previous', 'retired']),
    createdAt: z.iso.datetime(),
    rotatedAt: z.iso.datetime().nullable(),
    retireAfter: z.iso.datetime().nullable(),
  })
  .meta({ id: 'SigningKey' });

export const listSigningKeysProcedure = procedure
  .meta({ permission: 'signing_keys:read', openapi: { method: 'GET', path: '/signing-keys', tags: ['signing-keys'], summary: "The tenant's published signing keys (public parts only)", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(signingKeyOutput) }))
  .query(({ ctx }) => listSigningKeys(ctx.sc));

export const rotateSigningKeyProcedure = procedure
  .meta({
    permission: 'signing_keys:rotate',
    openapi: { method: 'POST', path: '/signing-keys/rotate', tags: ['signing-keys'], summary: 'Rotate now: a new current key; the old one stays published until its tokens expire', protect: true },
    successStatus: 201,
  })
  .input(z.object({}).optional())
  .output(signingKeyOutput)
  .mutation(({ ctx }) => rotateSigningKeyNow(ctx.sc));
