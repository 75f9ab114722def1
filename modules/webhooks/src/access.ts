import type { EntityManager, ServiceContext } from '@plinto/kernel';
import { loadEndpoint, type EndpointRow } from './endpoints.service';

/**
 * An endpoint of the caller's tenant (another tenant's is the same 404 as a missing one), once the
 * caller holds `permission` where the endpoint delivers: tenant-wide, or in its organization (so an
 * organization's admins manage their organization's endpoints).
 */
export async function endpointFor(sc: ServiceContext, em: EntityManager, id: string, permission: 'webhooks:read' | 'webhooks:write'): Promise<EndpointRow> {
  const row = await loadEndpoint(em, sc.tenant.id, id);
  await sc.authz.require(permission, { organizationId: row.organizationId });
  return row;
}
