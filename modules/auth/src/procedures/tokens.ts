import { z } from 'zod';
import { auditActor, protectedProcedure } from '@plinto/kernel';
import { AuthErrors } from '../errors';
import { tokenResponseShape } from '../tokens/issue';
import { publishedKeys, rotateSigningKey } from '../tokens/signing-keys';
import { tokenServicesOf } from '../tokens/services';
import { tokenEndpoint } from '../oauth/endpoints';
import { authTenantProcedure } from './base';

/** First-party clients refresh over tRPC/REST too; the same rotation as the OAuth token endpoint. */
export const refreshProcedure = authTenantProcedure
  .meta({ openapi: { method: 'POST', path: '/auth/refresh', tags: ['auth'], summary: 'Exchange a refresh token for new tokens (rotates the refresh token)' } })
  .input(z.object({ refresh_token: z.string().min(10).max(200) }))
  .output(z.object(tokenResponseShape))
  .mutation(async ({ ctx, input }) => {
    const response = await tokenEndpoint(
      { em: ctx.em, config: ctx.config, tenant: ctx.tenant, request: ctx.request },
      { grant_type: 'refresh_token', refresh_token: input.refresh_token },
      undefined,
    );
    if (response.status !== 200) throw AuthErrors.INVALID_REFRESH_TOKEN();
    return response.body as z.infer<z.ZodObject<typeof tokenResponseShape>>;
  });

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

export const listSigningKeysProcedure = protectedProcedure('signing_keys:read')
  .meta({ openapi: { method: 'GET', path: '/signing-keys', tags: ['signing-keys'], summary: "The tenant's published signing keys (public parts only)", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(signingKeyOutput) }))
  .query(async ({ ctx }) => ({
    items: (await publishedKeys(ctx.em, ctx.tenant.id)).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      status: k.status,
      createdAt: k.createdAt.toISOString(),
      rotatedAt: k.rotatedAt?.toISOString() ?? null,
      retireAfter: k.retireAfter?.toISOString() ?? null,
    })),
  }));

export const rotateSigningKeyProcedure = protectedProcedure('signing_keys:rotate')
  .meta({
    openapi: { method: 'POST', path: '/signing-keys/rotate', tags: ['signing-keys'], summary: 'Rotate now: a new current key; the old one stays published until its tokens expire', protect: true },
    successStatus: 201,
  })
  .input(z.object({}).optional())
  .output(signingKeyOutput)
  .mutation(async ({ ctx }) => {
    const key = await rotateSigningKey(ctx.em, ctx.config, ctx.tenant.id, auditActor(ctx.request, ctx.principal), 'manual');
    tokenServicesOf(ctx.em).keyring.invalidate(ctx.tenant.id);
    return { kid: key.kid, alg: key.alg, status: key.status, createdAt: key.createdAt.toISOString(), rotatedAt: null, retireAfter: null };
  });
