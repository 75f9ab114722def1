import { isUuid, recordEvent, requireUser, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { User } from '../entities/user.entity';
import { userActor } from '../services/deps';
import { Passkey } from '../passkeys/entities';
import { PasskeyErrors } from '../passkeys/errors';
import { ExternalIdentity, SocialConnection } from './entities';
import { SocialErrors } from './errors';
import { SocialEvents } from './events';

/** A user's linked identities with their connection's slug, provider and display name (one shape for the account page and the console). */
export async function identitiesOfUser(em: EntityManager, tenantId: string, userId: string) {
  const rows = await em.find(ExternalIdentity, { tenantId, userId }, { orderBy: { createdAt: 'asc' } });
  const connections = rows.length ? new Map((await em.find(SocialConnection, { tenantId, id: { $in: rows.map((r) => r.connectionId) } })).map((c) => [c.id, c])) : new Map();
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

/** The signed-in user's linked identities (for the account page). */
export async function listMyIdentities(sc: ServiceContext) {
  const user = requireUser(sc);
  return identitiesOfUser(sc.em, sc.tenant.id, user.id);
}

/** Unlinks one of the signed-in user's identities, keeping at least one way to sign in. */
export async function unlinkIdentity(sc: ServiceContext, id: string): Promise<{ deleted: true }> {
  const principal = requireUser(sc);
  return sc.em.transactional(async (tx) => {
    const row = isUuid(id) ? await tx.findOne(ExternalIdentity, { id, tenantId: sc.tenant.id, userId: principal.id }) : null;
    if (!row) throw SocialErrors.IDENTITY_NOT_FOUND({ fields: [{ path: 'id', message: 'No such linked identity' }] });
    const user = await tx.findOneOrFail(User, { id: principal.id, tenantId: sc.tenant.id });
    const others = (await tx.count(ExternalIdentity, { userId: user.id, id: { $ne: row.id } })) + (await tx.count(Passkey, { userId: user.id }));
    if (!user.passwordHash && others === 0) throw PasskeyErrors.LAST_SIGN_IN_METHOD({ fields: [{ path: 'id', message: 'The only way to sign in to this account' }] });
    const connection = await tx.findOne(SocialConnection, { id: row.connectionId });
    tx.remove(row);
    recordEvent(tx, userActor(sc.request, user.id), SocialEvents.of('identity.unlinked', {
      tenantId: sc.tenant.id,
      target: { type: 'user', id: user.id },
      data: { connectionId: row.connectionId, slug: connection?.slug ?? '', provider: connection?.provider ?? '', identityId: row.id },
    }));
    await tx.flush();
    return { deleted: true as const };
  });
}
