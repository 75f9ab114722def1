import type { EntityManager, Principal } from '@plinto/kernel';
import { User } from '@plinto/auth';

/** How the invitee sees who invited them: a user's display name (else email); none for keys and operators. */
export async function inviterName(em: EntityManager, tenantId: string, principal: Principal): Promise<string | null> {
  if (principal.kind !== 'user') return null;
  const user = await em.findOne(User, { id: principal.id, tenantId }, { fields: ['displayName', 'email'] });
  return user ? (user.displayName ?? user.email) : null;
}
