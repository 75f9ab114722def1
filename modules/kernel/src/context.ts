import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { IncomingMessage } from 'node:http';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Redis } from './redis';
import type { Actor } from './events/record';
import { CommonErrors } from './errors';

/** Who is calling. Modules add kinds as they add credentials (users, API keys, machine clients). */
export interface Principal {
  kind: 'platform_operator' | 'user' | 'api_key' | 'machine_client';
  id: string;
  /** The tenant the credential belongs to; null for platform operators. */
  tenantId: string | null;
  attributes: Record<string, unknown>;
}

export interface TenantRef {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
}

export interface RequestMeta {
  requestId: string;
  /** The client address, from X-Forwarded-For only when the hop is a trusted proxy. */
  ip: string | null;
  userAgent: string | null;
  /** When the request arrived (ms since epoch), before it waited for anything: time windows judge by it. */
  receivedAt?: number;
}

/** What the authorization engine is asked: may `principal` do `permission` (on `resource`) here? */
export interface AuthorizationRequest {
  principal: Principal;
  tenant: TenantRef;
  /** `resource:action`, e.g. `users:write`; every protected procedure declares one. */
  permission: string;
  /** The object acted on, e.g. `user:0190...`, when the procedure knows it. */
  resource?: string;
  organizationId?: string;
  request: RequestMeta;
}

export interface AuthorizationDecision {
  allow: boolean;
  /** Why: the deciding rule, for error details and audit. */
  reason?: string;
}

/** The lookups the request context needs from modules; the api process wires them in. */
export interface ContextDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  /** The process's `producer` Redis connection (fails fast while Redis is down): throttles, caches. */
  redis: Redis;
  /** Resolves a bearer credential; null when it is not one we recognise. */
  authenticate(em: EntityManager, bearer: string, request: RequestMeta): Promise<Principal | null>;
  findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null>;
  findTenantById(em: EntityManager, id: string): Promise<TenantRef | null>;
  /** The one place that decides permissions (the authz module); see `protectedProcedure`. */
  authorize(em: EntityManager, request: AuthorizationRequest): Promise<AuthorizationDecision>;
}

export interface Context {
  em: EntityManager;
  request: RequestMeta;
  config: Config;
  logger: Logger;
  /** Shared `producer` Redis connection (see redis.ts): commands fail fast instead of queueing. */
  redis: Redis;
  /** The tenant slug an unauthenticated request names (X-Plinto-Tenant), `default` otherwise. */
  tenantSlug: string;
  /** The authenticated principal, resolved once; null when no credential was sent. */
  getPrincipal(): Promise<Principal | null>;
  /** The request's tenant: the credential's, else the X-Plinto-Tenant header's, else `default`. */
  resolveTenant(): Promise<TenantRef>;
  authorize(request: Omit<AuthorizationRequest, 'request'>): Promise<AuthorizationDecision>;
}

type ExpressLikeRequest = IncomingMessage & { id?: string; ip?: string; receivedAt?: number };

const memo = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
};

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export function requestMeta(req: ExpressLikeRequest): RequestMeta {
  return {
    requestId: req.id ?? 'unknown',
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
    receivedAt: req.receivedAt,
  };
}

export function createContextFactory(deps: ContextDeps) {
  return async ({ req }: { req: ExpressLikeRequest }): Promise<Context> => {
    const em = deps.orm.em.fork();
    const request = requestMeta(req);
    const headerTenant = req.headers['x-plinto-tenant'];
    const tenantSlug = (Array.isArray(headerTenant) ? headerTenant[0] : headerTenant)?.trim().toLowerCase() || 'default';
    const getPrincipal = memo(async () => {
      const token = bearerToken(req);
      if (!token) {
        if (req.headers.authorization) throw CommonErrors.UNAUTHENTICATED({ message: 'Malformed Authorization header' });
        return null;
      }
      const principal = await deps.authenticate(em, token, request);
      if (!principal) throw CommonErrors.UNAUTHENTICATED({ message: 'The credential is not valid' });
      return principal;
    });
    const resolveTenant = memo(async () => {
      const principal = await getPrincipal();
      const tenant = principal?.tenantId
        ? await deps.findTenantById(em, principal.tenantId)
        : await deps.findTenantBySlug(em, tenantSlug);
      if (!tenant) throw CommonErrors.TENANT_NOT_FOUND();
      if (tenant.status !== 'active') throw CommonErrors.TENANT_DISABLED();
      return tenant;
    });
    const authorize = (query: Omit<AuthorizationRequest, 'request'>) => deps.authorize(em, { ...query, request });
    return { em, request, config: deps.config, logger: deps.logger, redis: deps.redis, tenantSlug, getPrincipal, resolveTenant, authorize };
  };
}

/** The audit actor for a request made by `principal` (or anonymously). */
export function auditActor(request: RequestMeta, principal: Principal | null): Actor {
  return {
    type: principal?.kind ?? 'system',
    id: principal?.id ?? null,
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
  };
}
