import type { EntityManager } from '@mikro-orm/postgresql';
import { serviceKey } from './services';

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
