import type { EntityManager } from '@plinto/kernel';

/**
 * Housekeeping of token state (maintenance worker): expired revocations, sealed successors past
 * their grace window, refresh tokens of sessions that ended long ago, and OpenID Connect codes and
 * consent interactions a day past their expiry (kept that long so a replayed code is still
 * recognised, and its tokens revoked, rather than answered as unknown).
 */
export async function pruneTokenState(em: EntityManager, graceSeconds: number): Promise<Record<string, number>> {
  const revocations = await em.execute<{ key: string }[]>(`delete from token_revocations where expires_at < now() returning key`);
  const successors = await em.execute<{ id: string }[]>(
    `update refresh_tokens set successor_sealed = null
      where successor_sealed is not null and rotated_at < now() - make_interval(secs => ?) returning id`,
    [graceSeconds],
  );
  const spent = await em.execute<{ id: string }[]>(
    `delete from refresh_tokens where id in (
       select r.id from refresh_tokens r join sessions s on s.id = r.session_id
        where coalesce(s.revoked_at, s.expires_at) < now() - interval '7 days' limit 10000)
     returning id`,
  );
  const codes = await em.execute<{ code_hash: string }[]>(
    `delete from oidc_authorization_codes where code_hash in (
       select code_hash from oidc_authorization_codes where expires_at < now() - interval '1 day' limit 10000) returning code_hash`,
  );
  const interactions = await em.execute<{ id: string }[]>(
    `delete from oidc_interactions where id in (select id from oidc_interactions where expires_at < now() - interval '1 day' limit 10000) returning id`,
  );
  return {
    revocationsPruned: revocations.length,
    successorsCleared: successors.length,
    refreshTokensPruned: spent.length,
    authorizationCodesPruned: codes.length,
    interactionsPruned: interactions.length,
  };
}
