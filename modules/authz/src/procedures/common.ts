import type { EntityManager, Principal, RequestMeta, TenantRef } from '@plinto/kernel';
import { engineOf, type AuthzEngine } from '../engine/engine';
import type { AuthzCaller } from '../changes';

/** What every authz procedure needs from its context: the process's engine and the caller. */
export function authzDeps(ctx: { em: EntityManager; principal: Principal; tenant: TenantRef; request: RequestMeta }): {
  engine: AuthzEngine;
  caller: AuthzCaller;
} {
  return { engine: engineOf(ctx.em), caller: { principal: ctx.principal, tenant: ctx.tenant, request: ctx.request } };
}

export const TAGS = ['policies'];
