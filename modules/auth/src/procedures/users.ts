import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { emailInput, userOutput } from '../auth.schemas';
import { deleteUser, getUser, listUsers, setUserDisabled, updateUser } from '../services/users.service';

/** User management for tenant admins; every call is scoped to the caller's tenant. */
const userIdParam = z.string().min(1).max(64).describe('The user id');
const byId = z.object({ userId: userIdParam });

export const listUsersProcedure = procedure
  .meta({ permission: 'users:read', openapi: { method: 'GET', path: '/users', tags: ['users'], summary: 'List users, newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name'),
      disabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only disabled (true) or enabled (false) users'),
    }),
  )
  .output(pageOf(userOutput))
  .query(({ ctx, input }) => listUsers(ctx.sc, input));

export const getUserProcedure = procedure
  .meta({ permission: 'users:read', openapi: { method: 'GET', path: '/users/{userId}', tags: ['users'], summary: 'Get a user', protect: true } })
  .input(byId)
  .output(userOutput)
  .query(({ ctx, input }) => getUser(ctx.sc, input.userId));

export const updateUserProcedure = procedure
  .meta({
    permission: 'users:write',
    openapi: {
      method: 'PATCH',
      path: '/users/{userId}',
      tags: ['users'],
      summary: 'Update a user (display name, metadata, email)',
      description:
        'Needs users:write and holding every permission the user holds (nobody changes someone stronger). A new email address is unverified and gets a verification link; `emailVerified` (vouching for an address) needs users:provision.',
      protect: true,
    },
  })
  .input(
    z.object({
      userId: userIdParam,
      displayName: z.string().trim().min(1).max(200).nullable().optional(),
      metadata: z.record(z.string(), z.unknown()).optional().describe('Replaces the stored metadata'),
      email: emailInput.optional().describe('A new address is unverified (and is sent a verification link) unless emailVerified is also set'),
      emailVerified: z.boolean().optional().describe('Vouch for the address (server-side provisioning): needs users:provision'),
    }),
  )
  .output(userOutput)
  .mutation(({ ctx, input: { userId, ...patch } }) => updateUser(ctx.sc, userId, patch));

export const disableUserProcedure = procedure
  .meta({ permission: 'users:write', openapi: { method: 'POST', path: '/users/{userId}/disable', tags: ['users'], summary: 'Disable a user and end all their sessions', protect: true } })
  .input(byId)
  .output(userOutput)
  .mutation(({ ctx, input }) => setUserDisabled(ctx.sc, input.userId, true));

export const enableUserProcedure = procedure
  .meta({ permission: 'users:write', openapi: { method: 'POST', path: '/users/{userId}/enable', tags: ['users'], summary: 'Enable a disabled user', protect: true } })
  .input(byId)
  .output(userOutput)
  .mutation(({ ctx, input }) => setUserDisabled(ctx.sc, input.userId, false));

export const deleteUserProcedure = procedure
  .meta({ permission: 'users:delete', openapi: { method: 'DELETE', path: '/users/{userId}', tags: ['users'], summary: 'Delete a user with their sessions and credentials', protect: true } })
  .input(byId)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteUser(ctx.sc, input.userId));
