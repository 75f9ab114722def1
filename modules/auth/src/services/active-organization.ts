import { recordEvent, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { tokenServicesOf } from '../tokens/services';
import { AuthEvents } from '../events';
import type { AccessTokenResponse } from '../tokens/issue';

/**
 * The active organization of a session: access tokens issued from it (now and at every refresh)
 * carry `org_id` and the member's `org_role`. The organizations module checks membership and
 * calls these; authorization decisions never rely on the claim (the engine decides from its own
 * links), it is for the client and for relying parties.
 */
export async function setActiveOrganization(
  sc: ServiceContext,
  input: { sessionId: string; organizationId: string | null; role: string | null },
): Promise<AccessTokenResponse | null> {
  const userId = sc.principal!.id;
  const session = await sc.em.transactional(async (tx) => {
    const [row] = await tx.execute<{ id: string; amr: string[]; aal: number }[]>(
      `update sessions set organization_id = ?, organization_role = ?
        where id = ? and user_id = ? and tenant_id = ? and revoked_at is null returning id, amr, aal`,
      [input.organizationId, input.role, input.sessionId, userId, sc.tenant.id],
    );
    if (!row) return null;
    recordEvent(tx, sc.actor, AuthEvents.of('session.organization_switched', {
      tenantId: sc.tenant.id,
      organizationId: input.organizationId,
      target: { type: 'session', id: row.id },
      data: { sessionId: row.id, userId, organizationId: input.organizationId },
    }));
    await tx.flush();
    return row;
  });
  if (!session) return null;
  const access = await tokenServicesOf(sc).issueAccessToken(sc.tenant, {
    sub: userId,
    sid: session.id,
    amr: session.amr,
    aal: session.aal,
    organizationId: input.organizationId,
    organizationRole: input.role,
  });
  return { access_token: access.token, token_type: 'Bearer' as const, expires_in: access.expiresIn };
}

/**
 * Keeps sessions' `org_role` in step with membership: a role change shows in the next token; a
 * member who leaves (role null) no longer has that organization active. In the caller's transaction.
 */
export async function syncSessionOrganization(tx: EntityManager, userId: string, organizationId: string, role: string | null): Promise<void> {
  await tx.execute(
    role
      ? `update sessions set organization_role = ? where user_id = ? and organization_id = ? and revoked_at is null`
      : `update sessions set organization_id = null, organization_role = ? where user_id = ? and organization_id = ? and revoked_at is null`,
    [role, userId, organizationId],
  );
}

/** An organization is gone: no session keeps it active. In the caller's transaction. */
export async function clearSessionsOrganization(tx: EntityManager, organizationId: string): Promise<void> {
  await tx.execute(`update sessions set organization_id = null, organization_role = null where organization_id = ?`, [organizationId]);
}
