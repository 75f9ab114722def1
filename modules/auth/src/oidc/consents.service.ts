import { recordEvent, requireUser, type ServiceContext } from '@plinto/kernel';
import { withRevocations } from '../tokens/services';
import { revokeSessions } from '../services/sessions.service';
import { OidcErrors } from './errors';
import { OidcEvents } from './events';

interface ConsentRow {
  application_id: string;
  client_id: string;
  name: string;
  logo_uri: string | null;
  scopes: string[];
  granted_at: Date;
}

/** The signed-in user's connected applications (the account page). */
export async function listMyConsents(sc: ServiceContext) {
  const user = requireUser(sc);
  const rows = await sc.em.execute<ConsentRow[]>(
    `select c.application_id, a.client_id, a.name, a.logo_uri, c.scopes, c.granted_at
       from oidc_consents c join applications a on a.id = c.application_id
      where c.user_id = ? and c.tenant_id = ? and a.revoked_at is null order by c.granted_at desc`,
    [user.id, sc.tenant.id],
  );
  return rows.map((r) => ({ applicationId: r.application_id, clientId: r.client_id, name: r.name, logoUri: r.logo_uri, scopes: r.scopes, grantedAt: new Date(r.granted_at).toISOString() }));
}

/**
 * Revokes the user's consent to an application: it must ask again, and the sessions it holds for
 * this user end (refresh families and access tokens).
 */
export async function revokeMyConsent(sc: ServiceContext, applicationId: string): Promise<{ revoked: true }> {
  const user = requireUser(sc);
  return withRevocations(sc, async (tx, revoke) => {
    const [row] = await tx.execute<{ client_id: string; name: string }[]>(
      `delete from oidc_consents c using applications a
        where c.application_id = a.id and c.user_id = ? and c.application_id = ? and c.tenant_id = ? returning a.client_id, a.name`,
      [user.id, applicationId, sc.tenant.id],
    );
    if (!row) throw OidcErrors.CONSENT_NOT_FOUND({ fields: [{ path: 'applicationId', message: 'You have not allowed this application' }] });
    const sessions = await tx.execute<{ id: string }[]>('select id from sessions where user_id = ? and client_id = ? and revoked_at is null', [user.id, row.client_id]);
    if (sessions.length > 0) await revokeSessions(tx, revoke, { userId: user.id, sessionIds: sessions.map((s) => s.id) }, 'consent_revoked');
    recordEvent(tx, sc.actor, OidcEvents.of('consent.revoked', { tenantId: sc.tenant.id, target: { type: 'application', id: applicationId }, data: { name: row.name, clientId: row.client_id, userId: user.id } }));
    await tx.flush();
    return { revoked: true as const };
  });
}
