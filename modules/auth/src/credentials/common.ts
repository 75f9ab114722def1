import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { CredentialErrors } from './errors';
import type { Actor, EntityManager, Principal, RequestMeta } from '@plinto/kernel';

/** Credentials' `last_used_at` is refreshed at most this often (a coarse "last used", not a log). */
export const LAST_USED_RESOLUTION_MS = 60_000;

export const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Who created a credential, kept on its row (the audit log has the full story). */
export const creatorOf = (principal: Principal) => ({ createdByType: principal.kind as string, createdById: principal.id });

/** The principal a stored credential acts as (for the principal hierarchy: who may end it). */
export function credentialPrincipal(kind: 'api_key' | 'machine_client', id: string, tenantId: string, organizationId: string | null, roles: string[]): Principal {
  return { kind, id, tenantId, attributes: { organizationId, roles } };
}

/** The actor of a rejected credential use: the credential itself, from where it was presented. */
export function credentialActor(type: 'api_key' | 'machine_client', id: string, request: RequestMeta | undefined): Actor {
  return { type, id, ip: request?.ip ?? null, userAgent: request?.userAgent ?? null, requestId: request?.requestId ?? null };
}

/**
 * Claims the right to audit one rejected use of a credential: at most one a minute per
 * credential, so someone replaying a dead key cannot turn each request into an audit row.
 * Runs in its own transaction (the request's may be rolled back or not exist); the claim and the
 * event commit together.
 */
export async function auditRejectedUse(em: EntityManager, table: 'api_keys' | 'machine_clients', id: string, record: (tx: EntityManager) => void): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const claimed: { id: string }[] = await tx.execute(
      `update ${table} set last_rejected_at = now() where id = ? and (last_rejected_at is null or last_rejected_at < now() - interval '1 minute') returning id`,
      [id],
    );
    if (claimed.length === 0) return;
    record(tx);
    await tx.flush();
  });
}

/**
 * An organization-owned credential must name an organization of its tenant (a foreign key the
 * organizations module declares): a violation is the caller's 404 on `organizationId`, not a 500.
 */
export async function ownedByExistingOrganization<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ForeignKeyConstraintViolationException) {
      throw CredentialErrors.CREDENTIAL_ORGANIZATION_NOT_FOUND({ fields: [{ path: 'organizationId', message: 'No such organization in this tenant' }] });
    }
    throw error;
  }
}
