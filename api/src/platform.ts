import { composeSchemas, kernelSchema, type ContextDeps, type EntityManager, type Principal } from '@plinto/kernel';
import { authenticatePlatformKey, findTenantById, findTenantBySlug, tenantsSchema } from '@plinto/tenants';
import { webhooksSchema } from '@plinto/webhooks';
import { authSchema, authenticateSession } from '@plinto/auth';
import { authzSchema, buildPermissionCatalog, engineOf, permissionsFromRouter, type PermissionSpec } from '@plinto/authz';
import { auditSchema } from '@plinto/audit';
import { appRouter } from './router';

/** The database schema of every module, in one place for the api, the workers and the tests. */
export const platformSchema = composeSchemas([kernelSchema, tenantsSchema, webhooksSchema, authSchema, authzSchema, auditSchema]);

/** Tries each kind of credential in turn; the first module that recognises the token wins. */
export async function authenticate(em: EntityManager, token: string): Promise<Principal | null> {
  // INTERIM (accounts issue): `pls_` session tokens become a `user` principal; the sessions issue
  // replaces this entry with JWT access tokens. authenticateSession ignores other prefixes at no cost.
  return (await authenticateSession(em, token)) ?? (await authenticatePlatformKey(em, token));
}

/**
 * Every protected procedure is decided by the authz engine of this api process (roles and
 * policies, subject `user:<principal id>`); platform operators keep full access to any tenant
 * they name with X-Plinto-Tenant.
 */
export const authorize: ContextDeps['authorize'] = async (em, request) => engineOf(em).authorize(request);

/** The permission catalog: the authz module's list plus every permission a procedure declares. */
export const permissionCatalog = (): PermissionSpec[] => buildPermissionCatalog(permissionsFromRouter(appRouter));

export const contextLookups: Pick<ContextDeps, 'authenticate' | 'findTenantBySlug' | 'findTenantById' | 'authorize'> = {
  authenticate,
  authorize,
  findTenantBySlug,
  findTenantById,
};
