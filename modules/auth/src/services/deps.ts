import type { Actor, Config, EntityManager, Redis, RequestMeta, TenantRef } from '@plinto/kernel';

/** What the auth services need from a request; procedures build it from the context. */
export interface AuthDeps {
  em: EntityManager;
  redis: Redis;
  config: Config;
  tenant: TenantRef;
  request: RequestMeta;
}

/** The audit actor of a step taken by (or on behalf of) `userId` from this request. */
export const userActor = (request: RequestMeta, userId: string | null): Actor => ({
  type: 'user',
  id: userId,
  ip: request.ip,
  userAgent: request.userAgent,
  requestId: request.requestId,
});
