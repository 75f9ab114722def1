import { z } from 'zod';
import { auditActor, pageInput, pageOf, protectedProcedure } from '@plinto/kernel';
import { emailInput, userOutput } from '../auth.schemas';
import { deleteUser, getUser, listUsers, setUserDisabled, updateUser } from '../services/users.service';

/** User management for tenant admins; every call is scoped to the caller's tenant. */
const userIdParam = z.string().min(1).max(64).describe('The user id');
const byId = z.object({ userId: userIdParam });

export const listUsersProcedure = protectedProcedure('users:read')
  .meta({ openapi: { method: 'GET', path: '/users', tags: ['users'], summary: 'List users, newest first', protect: true } })
  .input(
    z.object({
      ...pageInput,
      search: z.string().trim().min(1).max(100).optional().describe('Substring of the email or display name'),
      disabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only disabled (true) or enabled (false) users'),
    }),
  )
  .output(pageOf(userOutput))
  .query(({ ctx, input }) => listUsers(ctx.em, ctx.tenant.id, input));

export const getUserProcedure = protectedProcedure('users:read')
  .meta({ openapi: { method: 'GET', path: '/users/{userId}', tags: ['users'], summary: 'Get a user', protect: true } })
  .input(byId)
  .output(userOutput)
  .query(({ ctx, input }) => getUser(ctx.em, ctx.tenant.id, input.userId));

export const updateUserProcedure = protectedProcedure('users:write')
  .meta({ openapi: { method: 'PATCH', path: '/users/{userId}', tags: ['users'], summary: 'Update a user (display name, metadata, email)', protect: true } })
  .input(
    z.object({
      userId: userIdParam,
      displayName: z.string().trim().min(1).max(200).nullable().optional(),
      metadata: z.record(z.string(), z.unknown()).optional().describe('Replaces the stored metadata'),
      email: emailInput.optional().describe('A new address is unverified unless emailVerified is also set'),
      emailVerified: z.boolean().optional(),
    }),
  )
  .output(userOutput)
  .mutation(({ ctx, input }) => {
    const { userId, ...patch } = input;
    return updateUser(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, userId, patch);
  });

export const disableUserProcedure = protectedProcedure('users:write')
  .meta({ openapi: { method: 'POST', path: '/users/{userId}/disable', tags: ['users'], summary: 'Disable a user and end all their sessions', protect: true } })
  .input(byId)
  .output(userOutput)
  .mutation(({ ctx, input }) => setUserDisabled(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.userId, true));

export const enableUserProcedure = protectedProcedure('users:write')
  .meta({ openapi: { method: 'POST', path: '/users/{userId}/enable', tags: ['users'], summary: 'Enable a disabled user', protect: true } })
  .input(byId)
  .output(userOutput)
  .mutation(({ ctx, input }) => setUserDisabled(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.userId, false));

export const deleteUserProcedure = protectedProcedure('users:write')
  .meta({ openapi: { method: 'DELETE', path: '/users/{userId}', tags: ['users'], summary: 'Delete a user with their sessions and credentials', protect: true } })
  .input(byId)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await deleteUser(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.userId);
    return { deleted: true as const };
  });
