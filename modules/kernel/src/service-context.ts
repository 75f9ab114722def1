import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Redis } from './redis';
import type { Actor } from './events/record';
import type { Principal, RequestMeta, TenantRef } from './context';
import type { ServiceRegistry } from './services';
import { CommonErrors } from './errors';

/**
 * Where a permission is asked: tenant-wide (no organization), or inside one organization (its
 * authorization domain, where the caller's organization and team roles count too).
 */
export interface AuthzScope {
  organizationId?: string | null;
  /** The object acted on (`user:0190…`), when the service knows it; default: the tenant or organization. */
  resource?: string;
  resourceAttributes?: Record<string, unknown>;
}

/** Someone whose strength is compared with the caller's (the principal hierarchy). */
export type SubjectRef = { kind: 'user'; id: string } | Principal;

/**
 * The caller's authorizer, bound to one service context. The authz module implements it (the api
 * process wires it in); every answer comes from the one decision engine.
 */
export interface Authz {
  /** Whether the caller holds `permission` in `scope`. Anonymous callers hold nothing. */
  can(permission: string, scope?: AuthzScope): Promise<boolean>;
  /** 401 for an anonymous caller, 403 FORBIDDEN (details.permission) when the engine says no. */
  require(permission: string, scope?: AuthzScope): Promise<void>;
  /**
   * The principal hierarchy: the caller may change the email, password, MFA, status, roles or
   * existence of `target` only when the target holds no Plinto permission the caller lacks
   * (tenant-wide, or in `scope.organizationId`). Platform operators outrank every tenant principal.
   * Throws 403 PRINCIPAL_OUTRANKS naming `field` otherwise.
   */
  requireOutranks(target: SubjectRef, scope?: { organizationId?: string | null; field?: string }): Promise<void>;
  /**
   * "Nobody grants what they do not hold": the caller holds every permission `role` carries (with
   * inheritance) in the scope. Throws 400 when the role does not exist there, 403 PERMISSION_NOT_HELD otherwise.
   */
  requireCanConfer(role: string, scope: { organizationId?: string | null; field: string }): Promise<void>;
}

/**
 * The service context: what every transport (tRPC, REST, cookie-session pages, WebSocket, GraphQL)
 * builds once per call and every service function takes first. Services decide their own
 * permission through `sc.authz`, so a new transport cannot skip a check.
 */
export interface ServiceContext {
  /** Forked per call (per message for long-lived sockets). */
  readonly em: EntityManager;
  readonly config: Config;
  readonly logger: Logger;
  /** The process's `producer` Redis connection (fails fast while Redis is down). */
  readonly redis: Redis;
  readonly request: RequestMeta;
  /** The call's tenant: the credential's, else the one the request names, else `default`. */
  readonly tenant: TenantRef;
  /** Null for an anonymous call. */
  readonly principal: Principal | null;
  /** Who the audit log names for changes made in this call. */
  readonly actor: Actor;
  readonly authz: Authz;
  /** This process's long-lived services (decision engine, token services, queue producers …). */
  readonly services: ServiceRegistry;
}

/** The audit actor for a call made by `principal` (or anonymously). */
export function auditActor(request: RequestMeta, principal: Principal | null): Actor {
  return {
    type: principal?.kind ?? 'system',
    id: principal?.id ?? null,
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
  };
}

/** The authenticated principal; 401 for an anonymous call. */
export function requirePrincipal(sc: ServiceContext): Principal {
  if (!sc.principal) throw CommonErrors.UNAUTHENTICATED();
  return sc.principal;
}

/** A signed-in user acting for themselves; 401 when anonymous, 403 for other credentials. */
export function requireUser(sc: ServiceContext): Principal & { kind: 'user' } {
  const principal = requirePrincipal(sc);
  if (principal.kind !== 'user') throw CommonErrors.FORBIDDEN({ message: 'Only a signed-in user can do this', details: { principal: principal.kind } });
  return principal as Principal & { kind: 'user' };
}

/** The operator running the installation (platform API key); 401 when anonymous, 403 otherwise. */
export function requirePlatformOperator(sc: ServiceContext): Principal {
  const principal = requirePrincipal(sc);
  if (principal.kind !== 'platform_operator') throw CommonErrors.FORBIDDEN({ message: 'Only a platform operator can do this' });
  return principal;
}

