import type { ServiceContext } from '@plinto/kernel';
import { loadUser } from '../services/users.service';
import { ExternalIdentity, SocialConnection } from './entities';

/** A user's linked external identities, for tenant admins (users:read); 404 for a user of another tenant. */
export async function listUserIdentities(sc: ServiceContext, userId: string) {
  await sc.authz.require('users:read');
  const user = await loadUser(sc.em, sc.tenant.id, userId);
  const rows = await sc.em.find(ExternalIdentity, { tenantId: sc.tenant.id, userId: user.id }, { orderBy: { createdAt: 'asc' } });
  const found = rows.length ? await sc.em.find(SocialConnection, { tenantId: sc.tenant.id, id: { $in: rows.map((r) => r.connectionId) } }) : [];
  const connections = new Map(found.map((c) => [c.id, c]));
  return {
    items: rows.map((r) => ({
      id: r.id,
      connection: connections.get(r.connectionId)?.slug ?? '',
      provider: connections.get(r.connectionId)?.provider ?? '',
      name: connections.get(r.connectionId)?.name ?? '',
      email: r.email ?? null,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    })),
  };
}
