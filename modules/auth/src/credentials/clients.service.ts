import { tokenServicesOf, withRevocations } from '../tokens/services';
import { LockMode } from '@mikro-orm/core';
import { decodeCursor, isUuid, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity } from '@plinto/kernel';
import { assertCanConferRole, engineOf, type AuthzCaller } from '@plinto/authz';
import { MachineClient } from './entities';
import { CredentialErrors } from './errors';
import { actorOf, creatorOf, iso, ownedByExistingOrganization } from './common';
import { newClientCredentials } from './secrets';
import type { ClientDto, CreateClientInput } from './schemas';

export type MachineClientRow = InferEntity<typeof MachineClient>;

export function toClientDto(row: MachineClientRow): ClientDto {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    roles: row.roles,
    scopes: row.scopes,
    organizationId: row.organizationId ?? null,
    status: row.revokedAt ? 'revoked' : 'active',
    createdBy: { type: row.createdByType, id: row.createdById ?? null },
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

/** Creates a client acting with `roles` (each fully held by the caller); returns its secret once. */
export async function createClient(em: EntityManager, caller: AuthzCaller, input: CreateClientInput): Promise<ClientDto & { clientSecret: string }> {
  const organizationId = input.organizationId ?? null;
  const roles = [...new Set(input.roles)];
  const engine = engineOf(em);
  for (const [i, role] of roles.entries()) await assertCanConferRole(em, engine, caller, role, organizationId, `roles.${i}`);
  const credentials = newClientCredentials();
  const now = new Date();
  return ownedByExistingOrganization(em.transactional(async (tx) => {
    const row = tx.create(MachineClient, {
      id: uuidv7(now.getTime()),
      tenantId: caller.tenant.id,
      organizationId,
      name: input.name,
      clientId: credentials.clientId,
      secretHash: credentials.hash,
      roles,
      scopes: [...new Set(input.scopes)],
      ...creatorOf(caller),
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      lastRejectedAt: null,
    });
    recordEvent(tx, actorOf(caller), {
      action: 'machine_client.created',
      tenantId: caller.tenant.id,
      organizationId,
      target: { type: 'machine_client', id: row.id },
      data: { name: row.name, clientId: row.clientId, organizationId, roles: row.roles, scopes: row.scopes },
    });
    await tx.flush();
    return { ...toClientDto(row), clientSecret: credentials.clientSecret };
  }));
}

export async function listClients(em: EntityManager, tenantId: string, query: { limit: number; cursor?: string; organizationId?: string }) {
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    MachineClient,
    { tenantId, ...(after ? { id: { $lt: after } } : {}), ...(query.organizationId ? { organizationId: query.organizationId } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toClientDto);
}

/** Revokes a client of the caller's tenant (idempotent). Its secret is refused from now on. */
export async function revokeClient(em: EntityManager, caller: AuthzCaller, id: string): Promise<ClientDto> {
  // Its client_credentials access tokens stop verifying too (revocation key `client:<client_id>`).
  return withRevocations(em, async (tx, revoke) => {
    const row = isUuid(id) ? await tx.findOne(MachineClient, { id, tenantId: caller.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!row) throw CredentialErrors.MACHINE_CLIENT_NOT_FOUND();
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await revoke([{ key: `client:${row.clientId}`, tenantId: row.tenantId, expiresAt: tokenServicesOf(tx).revocationExpiry() }]);
      recordEvent(tx, actorOf(caller), {
        action: 'machine_client.revoked',
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'machine_client', id: row.id },
        data: { name: row.name, clientId: row.clientId },
      });
      await tx.flush();
    }
    return toClientDto(row);
  });
}
