import type { Actor, RequestMeta, ServiceContext } from '@plinto/kernel';

/**
 * What the sign-in steps use of a service context (a part of it, so the few internal callers that
 * have no whole context — invitation acceptance, OAuth endpoints — can still call them).
 */
export type AuthDeps = Pick<ServiceContext, 'em' | 'redis' | 'config' | 'tenant' | 'request' | 'services'>;

/** The audit actor of a step taken by (or on behalf of) `userId` from this request. */
export const userActor = (request: RequestMeta, userId: string | null): Actor => ({
  type: 'user',
  id: userId,
  ip: request.ip,
  userAgent: request.userAgent,
  requestId: request.requestId,
});
