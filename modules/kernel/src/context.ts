import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { IncomingMessage } from 'node:http';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Redis } from './redis';
import type { ServiceRegistry } from './services';
import { auditActor, type Authz, type ServiceContext } from './service-context';
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
  /** Every module's per-tenant settings, flat; each module reads its own section (`tenantSection`). */
  settings: Record<string, unknown>;
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
  resourceAttributes?: Record<string, unknown>;
  request: RequestMeta;
}

export interface AuthorizationDecision {
  allow: boolean;
  /** Why: the deciding rule, for error details and audit. */
  reason?: string;
}

/** What building a service context needs; the composition root wires the modules' parts in. */
export interface ContextDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  /** The process's `producer` Redis connection (fails fast while Redis is down): throttles, caches. */
  redis: Redis;
  services: ServiceRegistry;
  /** Resolves a bearer credential; null when it is not one we recognise. */
  authenticate(em: EntityManager, bearer: string, request: RequestMeta): Promise<Principal | null>;
  findTenantBySlug(em: EntityManager, slug: string): Promise<TenantRef | null>;
  findTenantById(em: EntityManager, id: string): Promise<TenantRef | null>;
  /** The caller's authorizer (the authz module's engine behind it). */
  authorizer(caller: { em: EntityManager; principal: Principal | null; tenant: TenantRef; request: RequestMeta }): Authz;
}

/** What a transport knows about a call before any credential is checked. */
export interface CallFacts {
  request: RequestMeta;
  /** The bearer credential sent, if any; `malformed` when an Authorization header is not a bearer. */
  bearer: string | null | 'malformed';
  /** The tenant slug the call names (X-Plinto-Tenant, or the path of a tenant's page), if any. */
  tenantSlug: string | null;
  /**
   * A browser session cookie sent with the call (the hosted pages, the console), resolved only when
   * no bearer is sent: its principal, or null when the session is over (the call is then anonymous).
   * The transport that reads the cookie also enforces CSRF on state changes.
   */
  browserSession?: (em: EntityManager) => Promise<Principal | null>;
}

/** The tRPC context: the call's facts and its service context, built once on first use. */
export interface Context {
  request: RequestMeta;
  config: Config;
  logger: Logger;
  serviceContext(): Promise<ServiceContext>;
}

type ExpressLikeRequest = IncomingMessage & { id?: string; ip?: string; receivedAt?: number };

export function bearerToken(req: IncomingMessage): string | null | 'malformed' {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : 'malformed';
}

export function requestMeta(req: ExpressLikeRequest): RequestMeta {
  return {
    requestId: req.id ?? 'unknown',
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
    receivedAt: req.receivedAt,
  };
}

/** The facts of an HTTP request: its id, client, bearer credential and the tenant it names. */
export function callFacts(req: ExpressLikeRequest): CallFacts {
  const headerTenant = req.headers['x-plinto-tenant'];
  const slug = (Array.isArray(headerTenant) ? headerTenant[0] : headerTenant)?.trim().toLowerCase();
  return { request: requestMeta(req), bearer: bearerToken(req), tenantSlug: slug || null };
}

/**
 * Builds the service context of one call: authenticates the credential (401 when it is sent but
 * not valid), resolves the tenant (the credential's own, else the one the call names, else
 * `default`) and refuses a disabled tenant to everyone but platform operators. A platform operator
 * may name a tenant that does not exist (to create it, say): `sc.tenant` — and so every
 * tenant-scoped service — then answers TENANT_NOT_FOUND when used.
 */
export function createServiceContextFactory(deps: ContextDeps) {
  return async (facts: CallFacts, em: EntityManager = deps.orm.em.fork()): Promise<ServiceContext> => {
    const { request } = facts;
    if (facts.bearer === 'malformed') throw CommonErrors.UNAUTHENTICATED({ message: 'Malformed Authorization header' });
    let principal = null;
    if (facts.bearer) {
      principal = await deps.authenticate(em, facts.bearer, request);
      if (!principal) throw CommonErrors.UNAUTHENTICATED({ message: 'The credential is not valid' });
    } else if (facts.browserSession) {
      principal = await facts.browserSession(em);
    }
    const found = principal?.tenantId
      ? await deps.findTenantById(em, principal.tenantId)
      : await deps.findTenantBySlug(em, facts.tenantSlug ?? 'default');
    const operator = principal?.kind === 'platform_operator';
    if (!found && !operator) throw CommonErrors.TENANT_NOT_FOUND();
    // Platform operators manage disabled tenants too; nobody else acts in one.
    if (found && found.status !== 'active' && !operator) throw CommonErrors.TENANT_DISABLED();
    const tenant = (): TenantRef => {
      if (!found) throw CommonErrors.TENANT_NOT_FOUND();
      return found;
    };
    let authz: Authz | undefined;
    return {
      em,
      config: deps.config,
      logger: deps.logger,
      redis: deps.redis,
      request,
      get tenant() {
        return tenant();
      },
      principal,
      actor: auditActor(request, principal),
      get authz() {
        return (authz ??= deps.authorizer({ em, principal, tenant: tenant(), request }));
      },
      services: deps.services,
    };
  };
}

/**
 * The tRPC context of an HTTP request (used by /trpc and the REST adapter). `factsOf` lets the
 * transport add what it reads beyond the headers (the api adds the browser session cookie).
 */
export function createContextFactory(deps: ContextDeps, factsOf: (req: ExpressLikeRequest) => CallFacts = callFacts) {
  const serviceContextOf = createServiceContextFactory(deps);
  return async ({ req }: { req: ExpressLikeRequest }): Promise<Context> => {
    const facts = factsOf(req);
    let built: Promise<ServiceContext> | undefined;
    return { request: facts.request, config: deps.config, logger: deps.logger, serviceContext: () => (built ??= serviceContextOf(facts)) };
  };
}

export { auditActor };
