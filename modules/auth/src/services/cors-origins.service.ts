import type { EntityManager } from '@plinto/kernel';

/**
 * Whether some active application of some tenant lists `origin` among its allowed origins: what a
 * CORS preflight to a tenant-less path (/trpc, /v1) can know — a preflight carries no header
 * values, so not the tenant. The actual call is judged by its own tenant's applications.
 */
export async function originAllowedByAnyApplication(em: EntityManager, origin: string): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>(
    `select 1 as found from applications where revoked_at is null and allowed_origins @> to_jsonb(?::text) limit 1`,
    [origin],
  );
  return rows.length > 0;
}
