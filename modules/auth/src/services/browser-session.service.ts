import { fastQuery, isUuid, type EntityManager, type Principal } from '@plinto/kernel';

/**
 * The principal of a browser session (the hosted pages' HttpOnly cookie names a server-side
 * session): a user, when the session is live — not revoked, not expired — and its user is not
 * disabled; null otherwise. Checked on every call, so ending a session (sign-out, "revoke" on the
 * account page, an admin) ends its cookie at once, like its access tokens.
 */
export async function authenticateBrowserSession(em: EntityManager, tenantId: string, sessionId: string): Promise<(Principal & { kind: 'user' }) | null> {
  if (!isUuid(sessionId)) return null;
  const [row] = await fastQuery<{ user_id: string; amr: string[]; aal: number; organization_id: string | null; organization_role: string | null; created_at: Date }>(
    em,
    `select s.user_id, s.amr, s.aal, s.organization_id, s.organization_role, s.created_at
       from sessions s join users u on u.id = s.user_id
      where s.id = ? and s.tenant_id = ? and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null`,
    [sessionId, tenantId],
    'plinto_browser_session',
  );
  if (!row) return null;
  return {
    kind: 'user',
    id: row.user_id,
    tenantId,
    attributes: {
      sessionId,
      amr: row.amr ?? [],
      aal: row.aal,
      organizationId: row.organization_id,
      organizationRole: row.organization_role,
      authTime: new Date(row.created_at),
      credential: 'browser_session',
    },
  };
}
