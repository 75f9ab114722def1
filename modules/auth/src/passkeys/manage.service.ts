import type { InferEntity } from '@mikro-orm/core';
import { isUuid, recordEvent, requireUser, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { User } from '../entities/user.entity';
import { loadUser, manageableUser } from '../services/users.service';
import { userActor } from '../services/deps';
import { Passkey } from './entities';
import { ExternalIdentity } from '../social/entities';
import { PasskeyErrors } from './errors';
import { PasskeyEvents } from './events';
import { authenticatorName } from './authenticators';
import type { PasskeyDto } from './schemas';

type PasskeyRow = InferEntity<typeof Passkey>;

export const toPasskeyDto = (p: Omit<PasskeyRow, 'publicKey' | 'counter' | 'rpId' | 'tenantId' | 'userId' | 'credentialId'>): PasskeyDto => ({
  id: p.id,
  name: p.name,
  authenticator: authenticatorName(p.aaguid),
  aaguid: p.aaguid,
  backedUp: p.backedUp,
  deviceType: p.deviceType === 'multiDevice' ? 'multi_device' : 'single_device',
  transports: p.transports,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
});

const listOf = async (em: EntityManager, tenantId: string, userId: string) =>
  (await em.find(Passkey, { tenantId, userId }, { orderBy: { createdAt: 'asc' } })).map(toPasskeyDto);

async function ownPasskey(em: EntityManager, tenantId: string, userId: string, id: string): Promise<PasskeyRow> {
  // Another user's (or tenant's) passkey is the same 404 as a missing one.
  const row = isUuid(id) ? await em.findOne(Passkey, { id, tenantId, userId }) : null;
  if (!row) throw PasskeyErrors.PASSKEY_NOT_FOUND({ fields: [{ path: 'id', message: 'No such passkey' }] });
  return row;
}

/** The signed-in user's passkeys, oldest first. */
export async function listMyPasskeys(sc: ServiceContext): Promise<{ items: PasskeyDto[] }> {
  const user = requireUser(sc);
  return { items: await listOf(sc.em, sc.tenant.id, user.id) };
}

export async function renamePasskey(sc: ServiceContext, id: string, name: string): Promise<PasskeyDto> {
  const user = requireUser(sc);
  return sc.em.transactional(async (tx) => {
    const row = await ownPasskey(tx, sc.tenant.id, user.id, id);
    row.name = name;
    recordEvent(tx, userActor(sc.request, user.id), PasskeyEvents.of('passkey.renamed', { tenantId: sc.tenant.id, target: { type: 'user', id: user.id }, data: { passkeyId: row.id, name } }));
    await tx.flush();
    return toPasskeyDto(row);
  });
}

/**
 * Removes a passkey. The last way into an account without a password (no other passkey, no
 * linked identity) is kept: removing it would leave no way to sign in but an emailed link.
 */
async function removePasskey(sc: ServiceContext, tx: EntityManager, userId: string, id: string, by: 'user' | 'admin') {
  const row = await ownPasskey(tx, sc.tenant.id, userId, id);
  const user = await tx.findOneOrFail(User, { id: userId, tenantId: sc.tenant.id });
  const others = (await tx.count(Passkey, { tenantId: sc.tenant.id, userId, id: { $ne: row.id } })) + (await tx.count(ExternalIdentity, { userId }));
  if (!user.passwordHash && others === 0) throw PasskeyErrors.LAST_SIGN_IN_METHOD({ fields: [{ path: 'id', message: 'The only way to sign in to this account' }] });
  tx.remove(row);
  recordEvent(tx, sc.actor.type === 'user' ? userActor(sc.request, sc.actor.id) : sc.actor, PasskeyEvents.of('passkey.removed', {
    tenantId: sc.tenant.id,
    target: { type: 'user', id: userId },
    data: { passkeyId: row.id, name: row.name, by },
  }));
  await tx.flush();
  return { deleted: true as const };
}

export async function deletePasskey(sc: ServiceContext, id: string): Promise<{ deleted: true }> {
  const user = requireUser(sc);
  return sc.em.transactional((tx) => removePasskey(sc, tx, user.id, id, 'user'));
}

/** Tenant admins: a user's passkeys (users:read). */
export async function listUserPasskeys(sc: ServiceContext, userId: string): Promise<{ items: PasskeyDto[] }> {
  await sc.authz.require('users:read');
  const user = await loadUser(sc.em, sc.tenant.id, userId);
  return { items: await listOf(sc.em, sc.tenant.id, user.id) };
}

/** Tenant admins: removes a user's passkey (a lost device); users:write and the principal hierarchy. */
export async function deleteUserPasskey(sc: ServiceContext, userId: string, id: string): Promise<{ deleted: true }> {
  return sc.em.transactional(async (tx) => {
    const user = await manageableUser(sc, tx, userId, 'users:write');
    return removePasskey(sc, tx, user.id, id, 'admin');
  });
}
