import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { userOutput } from '../auth.schemas';
import { sessionOutput } from '../services/session-list.service';
import {
  listMySessions,
  listUserSessions,
  me,
  revokeAllUserSessions,
  revokeMySession,
  revokeOtherSessions,
  revokeUserSession,
  signOut,
} from '../services/session-access.service';

const sessionId = z.uuid().describe('The session id');
const userId = z.uuid().describe('The user id');

export const meProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/me', tags: ['sessions'], summary: 'The current principal: user and session, API key, machine client or operator', protect: true } })
  .input(z.object({}).optional())
  .output(
    z
      .object({
        kind: z.enum(['platform_operator', 'user', 'api_key', 'machine_client']),
        id: z.string(),
        tenantId: z.uuid().nullable(),
        user: userOutput.optional(),
        session: z.object({ id: z.uuid(), amr: z.array(z.string()), aal: z.number().int(), organizationId: z.uuid().nullable() }).optional(),
        organizationId: z.uuid().nullable().optional(),
        roles: z.array(z.string()).optional(),
      })
      .meta({ id: 'Me' }),
  )
  .query(({ ctx }) => me(ctx.sc));

export const listMySessionsProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/sessions', tags: ['sessions'], summary: "The signed-in user's live sessions (device, ip, created, last used, level)", protect: true } })
  .input(z.object({ ...pageInput }))
  .output(pageOf(sessionOutput))
  .query(({ ctx, input }) => listMySessions(ctx.sc, input));

export const revokeMySessionProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'DELETE', path: '/sessions/{sessionId}', tags: ['sessions'], summary: 'End one of your sessions (its refresh family and access tokens)', protect: true } })
  .input(z.object({ sessionId }))
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(({ ctx, input }) => revokeMySession(ctx.sc, input.sessionId));

export const revokeOtherSessionsProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'POST', path: '/sessions/revoke-others', tags: ['sessions'], summary: 'End every session of yours except the current one', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ revoked: z.number().int() }))
  .mutation(({ ctx }) => revokeOtherSessions(ctx.sc));

export const signOutProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'POST', path: '/auth/sign-out', tags: ['auth'], summary: 'Sign out: end this session (refresh family and access tokens)', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ signedOut: z.literal(true) }))
  .mutation(({ ctx }) => signOut(ctx.sc));

/* Tenant admins: any user's sessions. */

export const listUserSessionsProcedure = procedure
  .meta({ permission: 'sessions:read', openapi: { method: 'GET', path: '/users/{userId}/sessions', tags: ['users'], summary: "A user's live sessions", protect: true } })
  .input(z.object({ userId, ...pageInput }))
  .output(pageOf(sessionOutput))
  .query(({ ctx, input: { userId, ...page } }) => listUserSessions(ctx.sc, userId, page));

export const revokeUserSessionProcedure = procedure
  .meta({ permission: 'sessions:revoke', openapi: { method: 'DELETE', path: '/users/{userId}/sessions/{sessionId}', tags: ['users'], summary: "End one of a user's sessions", protect: true } })
  .input(z.object({ userId, sessionId }))
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(({ ctx, input }) => revokeUserSession(ctx.sc, input.userId, input.sessionId));

export const revokeAllUserSessionsProcedure = procedure
  .meta({ permission: 'sessions:revoke', openapi: { method: 'POST', path: '/users/{userId}/sessions/revoke-all', tags: ['users'], summary: 'End every session of a user', protect: true } })
  .input(z.object({ userId }))
  .output(z.object({ revoked: z.number().int() }))
  .mutation(({ ctx, input }) => revokeAllUserSessions(ctx.sc, input.userId));
