import type { EntityManager } from '@mikro-orm/postgresql';
import { serviceKey, type ServiceRegistry } from './services';
import type { Actor } from './events/record';

/**
 * Whether an organization exists in a tenant — asked by modules below `orgs` in the module graph
 * (authz scopes policies and roles to organizations but cannot import orgs). The orgs module
 * provides it when a process starts; a service that names an organization asks it, so an id of
 * another tenant's organization is refused instead of being stored as a scope that matches nothing.
 */
export interface OrganizationDirectory {
  exists(em: EntityManager, tenantId: string, organizationId: string): Promise<boolean>;
}

export const ORGANIZATION_DIRECTORY = serviceKey<OrganizationDirectory>('orgs.directory');

/**
 * Joins a user the platform just provisioned (a new account through an identity provider that
 * vouched for its email) to the organizations that verified its email's domain and turned
 * auto-join on — asked by auth, which sits below orgs in the module graph. Runs in the caller's
 * transaction (`em`), which must be the outermost; answers what was joined. An organization whose
 * own rules refuse the user (member limit, allowed domains) is skipped, not an error.
 */
export interface OrganizationProvisioning {
  joinByVerifiedDomain(
    em: EntityManager,
    services: ServiceRegistry,
    input: { tenantId: string; userId: string; email: string; actor: Actor },
  ): Promise<{ organizationId: string; role: string }[]>;
}

export const ORGANIZATION_PROVISIONING = serviceKey<OrganizationProvisioning>('orgs.provisioning');
