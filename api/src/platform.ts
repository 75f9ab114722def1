import { composeSchemas, kernelSchema, type ContextDeps, type EntityManager, type Principal } from '@plinto/kernel';
import { authenticatePlatformKey, findTenantById, findTenantBySlug, tenantsSchema } from '@plinto/tenants';
import { webhooksSchema } from '@plinto/webhooks';

/** The database schema of every module, in one place for the api, the workers and the tests. */
export const platformSchema = composeSchemas([kernelSchema, tenantsSchema, webhooksSchema]);

/** Tries each kind of credential in turn; the first module that recognises the token wins. */
export async function authenticate(em: EntityManager, token: string): Promise<Principal | null> {
  return authenticatePlatformKey(em, token);
}

/**
 * Until the authz module decides permissions, only platform operators (acting on the tenant named
 * by X-Plinto-Tenant) pass protected procedures; every other principal is denied.
 */
export const authorize: ContextDeps['authorize'] = async (_em, { principal }) =>
  principal.kind === 'platform_operator'
    ? { allow: true, reason: 'platform operator' }
    : { allow: false, reason: 'no policy grants this permission' };

export const contextLookups: Pick<ContextDeps, 'authenticate' | 'findTenantBySlug' | 'findTenantById' | 'authorize'> = {
  authenticate,
  authorize,
  findTenantBySlug,
  findTenantById,
};
