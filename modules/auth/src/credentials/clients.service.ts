import { withRevocations } from '../tokens/services';
import { LockMode } from '@mikro-orm/core';
import { decodeCursor, isUuid, recordEvent, requirePrincipal, toPage, uuidv7, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { MachineClient } from './entities';
import { CredentialErrors } from './errors';
import { creatorOf, credentialPrincipal, iso, ownedByExistingOrganization } from './common';
import { newClientCredentials } from './secrets';
import type { ClientDto, CreateClientInput } from './schemas';
import { CredentialEvents } from './events';

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

/**
 * Creates a client acting with `roles`; returns its secret once. Needs clients:write where it will
 * act (tenant-wide, or in its organization) and every permission of each role there.
 */
export async function createClient(sc: ServiceContext, input: CreateClientInput): Promise<ClientDto & { clientSecret: string }> {
  const organizationId = input.organizationId ?? null;
  await sc.authz.require('clients:write', { organizationId });
  const roles = [...new Set(input.roles)];
  for (const [i, role] of roles.entries()) await sc.authz.requireCanConfer(role, { organizationId, field: `roles.${i}` });
  const caller = requirePrincipal(sc);
  const credentials = newClientCredentials();
  const now = new Date();
  return ownedByExistingOrganization(sc.em.transactional(async (tx) => {
    const row = tx.create(MachineClient, {
      id: uuidv7(now.getTime()),
      tenantId: sc.tenant.id,
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
    recordEvent(tx, sc.actor, CredentialEvents.of('machine_client.created', {
      tenantId: sc.tenant.id,
      organizationId,
      target: { type: 'machine_client', id: row.id },
      data: { name: row.name, clientId: row.clientId, organizationId, roles: row.roles, scopes: row.scopes },
    }));
    await tx.flush();
    return { ...toClientDto(row), clientSecret: credentials.clientSecret };
  }));
}

/** Needs clients:read tenant-wide, or in the organization whose clients are listed. */
export async function listClients(sc: ServiceContext, query: { limit: number; cursor?: string; organizationId?: string }) {
  await sc.authz.require('clients:read', { organizationId: query.organizationId });
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(
    MachineClient,
    { tenantId: sc.tenant.id, ...(after ? { id: { $lt: after } } : {}), ...(query.organizationId ? { organizationId: query.organizationId } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toClientDto);
}

/**
 * Revokes a client of the caller's tenant (idempotent). Its secret is refused from now on. Needs
 * clients:write where it acts, and to outrank it.
 */
export async function revokeClient(sc: ServiceContext, id: string): Promise<ClientDto> {
  // Its client_credentials access tokens stop verifying too (revocation key `client:<client_id>`).
  return withRevocations(sc, async (tx, revoke) => {
    const row = isUuid(id) ? await tx.findOne(MachineClient, { id, tenantId: sc.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!row) {
      await sc.authz.require('clients:write');
      throw CredentialErrors.MACHINE_CLIENT_NOT_FOUND();
    }
    await sc.authz.require('clients:write', { organizationId: row.organizationId });
    await sc.authz.requireOutranks(credentialPrincipal('machine_client', row.id, row.tenantId, row.organizationId ?? null, row.roles), { organizationId: row.organizationId, field: 'id' });
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await revoke([{ key: `client:${row.clientId}`, tenantId: row.tenantId }]);
      recordEvent(tx, sc.actor, CredentialEvents.of('machine_client.revoked', {
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'machine_client', id: row.id },
        data: { name: row.name, clientId: row.clientId },
      }));
      await tx.flush();
    }
    return toClientDto(row);
  });
}
