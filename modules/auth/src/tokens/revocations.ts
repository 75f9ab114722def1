import type { EntityManager, RevocationStore } from '@plinto/kernel';

export interface RevocationEntry {
  key: string;
  tenantId: string | null;
  expiresAt: Date;
}

/** Records revocations in the caller's transaction (the truth; Redis is told after commit). */
export async function insertRevocations(tx: EntityManager, entries: RevocationEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(
    `insert into token_revocations (key, tenant_id, expires_at)
     values ${entries.map(() => '(?, ?, ?)').join(', ')}
     on conflict (key) do update set expires_at = greatest(token_revocations.expires_at, excluded.expires_at)`,
    entries.flatMap((e) => [e.key, e.tenantId, e.expiresAt]),
  );
}

/** PostgreSQL side of the revocation check (see RevocationList in the kernel). */
export function revocationStore(em: () => EntityManager): RevocationStore {
  return {
    async anyRevoked(keys) {
      if (keys.length === 0) return false;
      const rows = await em().execute(
        `select 1 from token_revocations where key in (${keys.map(() => '?').join(', ')}) and expires_at > now() limit 1`,
        keys,
      );
      return rows.length > 0;
    },
    async live() {
      const rows = await em().execute<{ key: string; expires_at: Date }[]>(`select key, expires_at from token_revocations where expires_at > now()`);
      return rows.map((r) => ({ key: r.key, expiresAt: new Date(r.expires_at) }));
    },
  };
}
