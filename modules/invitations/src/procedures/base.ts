import { authedProcedure } from '@plinto/kernel';
import { callerOf } from '../access';

/**
 * Invitation management. The permission is decided per organization by the service (a caller may
 * hold `invitations:write` in one organization only), so the middleware only requires a credential
 * and resolves the tenant; the meta names the permission for the catalog and the OpenAPI document.
 */
export const invitationsProcedure = (permission: 'invitations:read' | 'invitations:write') =>
  authedProcedure.meta({ permission }).use(async ({ ctx, next }) => {
    const tenant = await ctx.resolveTenant();
    return next({ ctx: { tenant, caller: callerOf({ ...ctx, tenant }) } });
  });

export const TAGS = ['invitations'];
