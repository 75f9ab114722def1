import type { AuthzCaller } from '@plinto/authz';

/** The caller of a protected procedure, as the authz "cannot grant what you do not hold" check takes it. */
export const callerOf = (ctx: Pick<AuthzCaller, 'principal' | 'tenant' | 'request'>): AuthzCaller => ({
  principal: ctx.principal,
  tenant: ctx.tenant,
  request: ctx.request,
});
