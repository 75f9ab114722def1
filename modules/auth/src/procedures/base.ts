import { authedProcedure, tenantProcedure } from '@plinto/kernel';
import { AuthErrors } from '../errors';
import type { AuthDeps } from '../services/deps';

/** Unauthenticated auth steps: tenant from X-Plinto-Tenant (default `default`). */
export const authTenantProcedure = tenantProcedure;

/**
 * Needs a signed-in user: a `user` principal from an access token (API keys, machine clients and
 * platform keys are refused with SESSION_REQUIRED).
 */
export const signedInProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (ctx.principal.kind !== 'user') throw AuthErrors.SESSION_REQUIRED();
  const tenant = await ctx.resolveTenant();
  return next({ ctx: { tenant, userId: ctx.principal.id } });
});

export const authDeps = (ctx: Pick<AuthDeps, 'em' | 'redis' | 'config' | 'tenant' | 'request'>): AuthDeps => ({
  em: ctx.em,
  redis: ctx.redis,
  config: ctx.config,
  tenant: ctx.tenant,
  request: ctx.request,
});
