import type { ContextDeps, EntityManager, Principal, RequestMeta, ServiceRegistry } from '@plinto/kernel';
import { authenticatePlatformKey, cachedTenantById, cachedTenantBySlug } from '@plinto/tenants';
import { authenticateAccessToken, authenticateApiKey } from '@plinto/auth';
import { AUTHZ_ENGINE, createAuthorizer } from '@plinto/authz';

/**
 * How a service context is built in this installation: which credentials are recognised, how the
 * tenant is found, and the authorizer (the authz module's engine) every service decides through.
 */
export function contextDeps(services: ServiceRegistry): Pick<ContextDeps, 'authenticate' | 'findTenantBySlug' | 'findTenantById' | 'authorizer' | 'services'> {
  /** Tries each kind of credential in turn; each recogniser returns null at no cost for a token of another shape. */
  const authenticate = async (em: EntityManager, token: string, request: RequestMeta): Promise<Principal | null> =>
    (await authenticateAccessToken(em, services, token)) ?? (await authenticateApiKey(em, token, request)) ?? (await authenticatePlatformKey(em, token));
  return {
    services,
    authenticate,
    // Every call resolves its tenant: a short per-process cache.
    findTenantBySlug: cachedTenantBySlug,
    findTenantById: cachedTenantById,
    authorizer: createAuthorizer(services.get(AUTHZ_ENGINE)),
  };
}
