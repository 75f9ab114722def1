import { z } from 'zod';
import { pageInput, pageOf, procedure, router } from '@plinto/kernel';
import { createPlatformKey, listPlatformKeys, revokePlatformKey } from './platform-keys-admin.service';

const TAGS = ['platform keys'];

const platformKeyOutput = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to tell keys apart (the secret itself is never stored)'),
    status: z.enum(['active', 'revoked']),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().describe('Last call or console sign-in with it (to the minute)'),
    revokedAt: z.iso.datetime().nullable(),
    current: z.boolean().describe('The key the caller is using'),
  })
  .meta({ id: 'PlatformKey' });

/** Platform operators manage the installation's platform keys (their own credential). */
export const platformKeysRouter = router({
  list: procedure
    .meta({ access: 'platform', openapi: { method: 'GET', path: '/platform-keys', tags: TAGS, summary: 'List platform keys, newest first (never their secret)', protect: true } })
    .input(z.object({ ...pageInput, status: z.enum(['active', 'revoked']).optional() }))
    .output(pageOf(platformKeyOutput))
    .query(({ ctx, input }) => listPlatformKeys(ctx.sc, input)),
  create: procedure
    .meta({
      access: 'platform',
      openapi: { method: 'POST', path: '/platform-keys', tags: TAGS, summary: 'Create a platform key; its secret is in this answer only', protect: true },
      successStatus: 201,
    })
    .input(z.object({ name: z.string().trim().min(1).max(100).describe('A label: who or what uses the key') }))
    .output(platformKeyOutput.extend({ key: z.string().describe('The secret, shown this once') }).meta({ id: 'CreatedPlatformKey' }))
    .mutation(({ ctx, input }) => createPlatformKey(ctx.sc, input)),
  revoke: procedure
    .meta({
      access: 'platform',
      openapi: {
        method: 'POST',
        path: '/platform-keys/{id}/revoke',
        tags: TAGS,
        summary: "Revoke a platform key: its calls and console sessions stop at once. 409 LAST_PLATFORM_KEY for the last live key, 409 OWN_PLATFORM_KEY for the caller's own without confirmOwnKey",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid(), confirmOwnKey: z.boolean().optional().describe("Required to revoke the key you are using (ends your own session)") }))
    .output(platformKeyOutput)
    .mutation(({ ctx, input }) => revokePlatformKey(ctx.sc, input)),
});
