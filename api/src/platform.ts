import { composeSchemas, kernelSchema, type ContextDeps, type EntityManager, type Principal, type RequestMeta } from '@plinto/kernel';
import { authenticatePlatformKey, cachedTenantById, cachedTenantBySlug, tenantsSchema } from '@plinto/tenants';
import { webhooksSchema } from '@plinto/webhooks';
import { authSchema, authenticateAccessToken, authenticateApiKey } from '@plinto/auth';
import { authzSchema, buildPermissionCatalog, engineOf, permissionsFromRouter, type PermissionSpec } from '@plinto/authz';
import { auditSchema } from '@plinto/audit';
import { orgsSchema } from '@plinto/orgs';
import { invitationsSchema } from '@plinto/invitations';
import { emailSchema } from '@plinto/email';
import { appRouter } from './router';

/** The database schema of every module, in one place for the api, the workers and the tests. */
export const platformSchema = composeSchemas([kernelSchema, tenantsSchema, webhooksSchema, authSchema, authzSchema, auditSchema, orgsSchema, invitationsSchema, emailSchema]);

/** Tries each kind of credential in turn; the first module that recognises the token wins. */
export async function authenticate(em: EntityManager, token: string, request?: RequestMeta): Promise<Principal | null> {
  // Each recogniser returns null at no cost for a token of another shape (JWT, `pak_`, `plk_`).
  return (await authenticateAccessToken(em, token)) ?? (await authenticateApiKey(em, token, request)) ?? (await authenticatePlatformKey(em, token));
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
  // Every request resolves its tenant: a short per-process cache (see tenant-cache.ts).
  findTenantBySlug: cachedTenantBySlug,
  findTenantById: cachedTenantById,
};
