import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { deleteUserPasskey, listUserPasskeys } from '../manage.service';
import { passkeyOutput } from '../schemas';

const userId = z.string().min(1).max(64).describe('The user id');

export const listUserPasskeysProcedure = procedure
  .meta({ permission: 'users:read', openapi: { method: 'GET', path: '/users/{userId}/passkeys', tags: ['users'], summary: "A user's passkeys", protect: true } })
  .input(z.object({ userId }))
  .output(z.object({ items: z.array(passkeyOutput) }))
  .query(({ ctx, input }) => listUserPasskeys(ctx.sc, input.userId));

export const deleteUserPasskeyProcedure = procedure
  .meta({ permission: 'users:write', openapi: { method: 'DELETE', path: '/users/{userId}/passkeys/{id}', tags: ['users'], summary: "Remove a user's passkey (a lost device)", protect: true } })
  .input(z.object({ userId, id: z.string().min(1).max(64).describe('The passkey id') }))
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteUserPasskey(ctx.sc, input.userId, input.id));
