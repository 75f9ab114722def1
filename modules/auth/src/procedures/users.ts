import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { emailInput, passwordInput, userOutput } from '../auth.schemas';
import { createUser, resendVerification, resetUserMfa } from '../services/user-admin.service';
import { listUserIdentities } from '../social/user-identities.service';
import { identityOutput } from '../social/schemas';
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

export const createUserProcedure = procedure
  .meta({
    permission: 'users:write',
    openapi: {
      method: 'POST',
      path: '/users',
      tags: ['users'],
      summary: 'Create a user (with a password, or invited to choose one by email)',
      description:
        'Without `password` the account has none and the person is emailed a link to choose one (it verifies the address too); with one they get the verification link. `sendEmail: false` sends nothing; `emailVerified` (vouching for the address) needs users:provision.',
      protect: true,
    },
    successStatus: 201,
  })
  .input(
    z.object({
      email: emailInput,
      displayName: z.string().trim().min(1).max(200).nullable().optional(),
      password: passwordInput.optional().describe('Omit to invite the person to choose one'),
      emailVerified: z.boolean().optional().describe('Vouch for the address: needs users:provision'),
      sendEmail: z.boolean().optional().describe('Email the verification or set-password link (default true)'),
    }),
  )
  .output(userOutput)
  .mutation(({ ctx, input }) => createUser(ctx.sc, input));

export const resetUserMfaProcedure = procedure
  .meta({
    permission: 'users:write',
    openapi: { method: 'POST', path: '/users/{userId}/mfa/reset', tags: ['users'], summary: "Reset a user's two-factor authentication (TOTP and recovery codes); needs to outrank the user", protect: true },
  })
  .input(byId)
  .output(userOutput)
  .mutation(({ ctx, input }) => resetUserMfa(ctx.sc, input.userId));

export const resendVerificationProcedure = procedure
  .meta({ permission: 'users:write', openapi: { method: 'POST', path: '/users/{userId}/verification-email', tags: ['users'], summary: 'Send the email verification link again', protect: true } })
  .input(byId)
  .output(z.object({ sent: z.literal(true) }))
  .mutation(({ ctx, input }) => resendVerification(ctx.sc, input.userId));

export const listUserIdentitiesProcedure = procedure
  .meta({ permission: 'users:read', openapi: { method: 'GET', path: '/users/{userId}/identities', tags: ['users'], summary: "A user's linked external identities (social sign-in)", protect: true } })
  .input(byId)
  .output(z.object({ items: z.array(identityOutput) }))
  .query(({ ctx, input }) => listUserIdentities(ctx.sc, input.userId));
