import { z } from 'zod';
import { auditActor, authedProcedure, pageInput, pageOf, protectedProcedure, recordEvent } from '@plinto/kernel';
import { userOutput } from '../auth.schemas';
import { getUser } from '../services/users.service';
import { listSessions, liveSessionOf, sessionOutput } from '../services/session-list.service';
import { revokeSessions } from '../services/sessions.service';
import { revokeSessionById } from '../oauth/endpoints';
import { withRevocations } from '../tokens/services';
import { signedInProcedure } from './base';

const sessionId = z.uuid().describe('The session id');
const userId = z.uuid().describe('The user id');
const currentSessionOf = (principal: { attributes: Record<string, unknown> }) => principal.attributes.sessionId as string | undefined;

export const meProcedure = authedProcedure
  .meta({ openapi: { method: 'GET', path: '/me', tags: ['sessions'], summary: 'The current principal: user and session, API key, machine client or operator', protect: true } })
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
  .query(async ({ ctx }) => {
    const { principal } = ctx;
    const a = principal.attributes;
    const base = { kind: principal.kind, id: principal.id, tenantId: principal.tenantId };
    if (principal.kind === 'user' && principal.tenantId) {
      const session = { id: a.sessionId as string, amr: (a.amr as string[]) ?? [], aal: Number(a.aal ?? 1), organizationId: (a.organizationId as string | null) ?? null };
      return { ...base, user: await getUser(ctx.em, principal.tenantId, principal.id), session };
    }
    if (principal.kind === 'api_key' || principal.kind === 'machine_client') {
      return { ...base, organizationId: (a.organizationId as string | null) ?? null, roles: (a.roles as string[]) ?? [] };
    }
    return base;
  });

export const listMySessionsProcedure = signedInProcedure
  .meta({ openapi: { method: 'GET', path: '/sessions', tags: ['sessions'], summary: "The signed-in user's live sessions (device, ip, created, last used, level)", protect: true } })
  .input(z.object({ ...pageInput }))
  .output(pageOf(sessionOutput))
  .query(({ ctx, input }) => listSessions(ctx.em, ctx.tenant.id, ctx.userId, input, currentSessionOf(ctx.principal)));

export const revokeMySessionProcedure = signedInProcedure
  .meta({ openapi: { method: 'DELETE', path: '/sessions/{sessionId}', tags: ['sessions'], summary: 'End one of your sessions (its refresh family and access tokens)', protect: true } })
  .input(z.object({ sessionId }))
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await liveSessionOf(ctx.em, ctx.tenant.id, ctx.userId, input.sessionId);
    await revokeSessionById({ em: ctx.em, tenant: ctx.tenant, request: ctx.request }, ctx.userId, input.sessionId, 'user_revoked');
    return { revoked: true as const };
  });

export const revokeOtherSessionsProcedure = signedInProcedure
  .meta({ openapi: { method: 'POST', path: '/sessions/revoke-others', tags: ['sessions'], summary: 'End every session of yours except the current one', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ revoked: z.number().int() }))
  .mutation(async ({ ctx }) => {
    const keep = currentSessionOf(ctx.principal);
    const revoked = await endSessions(ctx, ctx.userId, keep, 'user_revoked_others', auditActor(ctx.request, ctx.principal));
    return { revoked };
  });

export const signOutProcedure = signedInProcedure
  .meta({ openapi: { method: 'POST', path: '/auth/sign-out', tags: ['auth'], summary: 'Sign out: end this session (refresh family and access tokens)', protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ signedOut: z.literal(true) }))
  .mutation(async ({ ctx }) => {
    const current = currentSessionOf(ctx.principal);
    if (current) await revokeSessionById({ em: ctx.em, tenant: ctx.tenant, request: ctx.request }, ctx.userId, current, 'signed_out');
    return { signedOut: true as const };
  });

type EndSessionsCtx = Parameters<typeof revokeSessionById>[0];

async function endSessions(ctx: EndSessionsCtx, userIdToEnd: string, keepSessionId: string | undefined, reason: string, actor: ReturnType<typeof auditActor>): Promise<number> {
  return withRevocations(ctx.em, async (tx, revoke) => {
    const ended = await revokeSessions(tx, revoke, { userId: userIdToEnd, exceptSessionId: keepSessionId }, reason);
    if (ended.length > 0) {
      recordEvent(tx, actor, {
        action: 'session.revoked_all',
        tenantId: ctx.tenant.id,
        target: { type: 'user', id: userIdToEnd },
        data: { userId: userIdToEnd, sessionIds: ended, reason, keptSessionId: keepSessionId ?? null },
      });
      await tx.flush();
    }
    return ended.length;
  });
}

/* Tenant admins: any user's sessions. */

export const listUserSessionsProcedure = protectedProcedure('sessions:read')
  .meta({ openapi: { method: 'GET', path: '/users/{userId}/sessions', tags: ['users'], summary: "A user's live sessions", protect: true } })
  .input(z.object({ userId, ...pageInput }))
  .output(pageOf(sessionOutput))
  .query(async ({ ctx, input }) => {
    await getUser(ctx.em, ctx.tenant.id, input.userId);
    return listSessions(ctx.em, ctx.tenant.id, input.userId, input);
  });

export const revokeUserSessionProcedure = protectedProcedure('sessions:revoke')
  .meta({ openapi: { method: 'DELETE', path: '/users/{userId}/sessions/{sessionId}', tags: ['users'], summary: "End one of a user's sessions", protect: true } })
  .input(z.object({ userId, sessionId }))
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await liveSessionOf(ctx.em, ctx.tenant.id, input.userId, input.sessionId);
    await revokeSessionById({ em: ctx.em, tenant: ctx.tenant, request: ctx.request }, input.userId, input.sessionId, 'admin_revoked', auditActor(ctx.request, ctx.principal));
    return { revoked: true as const };
  });

export const revokeAllUserSessionsProcedure = protectedProcedure('sessions:revoke')
  .meta({ openapi: { method: 'POST', path: '/users/{userId}/sessions/revoke-all', tags: ['users'], summary: "End every session of a user", protect: true } })
  .input(z.object({ userId }))
  .output(z.object({ revoked: z.number().int() }))
  .mutation(async ({ ctx, input }) => {
    await getUser(ctx.em, ctx.tenant.id, input.userId);
    const revoked = await endSessions(ctx, input.userId, undefined, 'admin_revoked_all', auditActor(ctx.request, ctx.principal));
    return { revoked };
  });
