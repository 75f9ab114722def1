import type { ServiceContext } from '@plinto/kernel';
import { loadUser } from '../services/users.service';
import { identitiesOfUser } from './identities.service';

/** A user's linked external identities, for tenant admins (users:read); 404 for a user of another tenant. */
export async function listUserIdentities(sc: ServiceContext, userId: string) {
  await sc.authz.require('users:read');
  const user = await loadUser(sc.em, sc.tenant.id, userId);
  return identitiesOfUser(sc.em, sc.tenant.id, user.id);
}
