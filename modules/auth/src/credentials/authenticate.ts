import { fastQuery, isUuid, recordEvent, type EntityManager, type Principal, type RequestMeta, type ServiceRegistry } from '@plinto/kernel';
import { ApiKey, MachineClient } from './entities';
import { LAST_USED_RESOLUTION_MS, auditRejectedUse, credentialActor } from './common';
import { apiKeyPrefix, apiKeyPublicId, isClientId, secretMatches } from './secrets';
import type { MachineClientRow } from './clients.service';
import { tokenServicesOf } from '../tokens/services';
import { CredentialEvents } from './events';

/** A live machine client, as the token endpoint and the verifier need it. */
export interface MachineClientRef {
  id: string;
  clientId: string;
  tenantId: string;
  name: string;
  roles: string[];
  organizationId: string | null;
  scopes: string[];
}

/**
 * Resolves `Authorization: Bearer pak_...` to an `api_key` principal of the key's own tenant
 * (X-Plinto-Tenant cannot move it), acting with its role (`attributes.roles`) in its organization
 * or tenant-wide. Null for anything that is not one of our keys, and for unknown, revoked or
 * expired keys (the context answers 401); uses of a real key that fail are audited.
 */
export async function authenticateApiKey(em: EntityManager, bearer: string, request?: RequestMeta): Promise<Principal | null> {
  const publicId = apiKeyPublicId(bearer);
  if (!publicId) return null;
  const row = await findApiKeyRow(em, publicId);
  if (!row) return null;
  const now = Date.now();
  const reason = !secretMatches(bearer, row.secretHash)
    ? 'secret_mismatch'
    : row.revokedAt
      ? 'revoked'
      : row.expiresAt && row.expiresAt.getTime() <= now
        ? 'expired'
        : null;
  if (reason) {
    await auditRejectedUse(em, 'api_keys', row.id, (tx) =>
      recordEvent(tx, credentialActor('api_key', row.id, request), CredentialEvents.of('api_key.rejected', {
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'api_key', id: row.id },
        outcome: 'failure',
        data: { prefix: apiKeyPrefix(row.publicId), reason },
      })),
    );
    return null;
  }
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiKey, { id: row.id }, { lastUsedAt: new Date(now) });
  }
  return {
    kind: 'api_key',
    id: row.id,
    tenantId: row.tenantId,
    attributes: { organizationId: row.organizationId ?? null, roles: [row.role], name: row.name, prefix: apiKeyPrefix(row.publicId) },
  };
}

const dateOf = (value: string | null) => (value === null ? null : new Date(value));

/** The columns API keys and machine clients share, as their prepared lookups read them. */
interface CredentialColumns {
  id: string;
  tenant_id: string;
  organization_id: string | null;
  name: string;
  secret_hash: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const credentialFields = (row: CredentialColumns) => ({
  id: row.id,
  tenantId: row.tenant_id,
  organizationId: row.organization_id,
  name: row.name,
  secretHash: row.secret_hash,
  lastUsedAt: dateOf(row.last_used_at),
  revokedAt: dateOf(row.revoked_at),
});

type ApiKeyAuthRow = ReturnType<typeof credentialFields> & { publicId: string; role: string; expiresAt: Date | null };

/**
 * The key row authentication needs, by a prepared statement: every call a backend makes with an
 * API key starts here, and MikroORM's findOne (query building, hydration, a simple-protocol
 * query) cost more CPU than the lookup itself (measured on the audit batch appends).
 */
async function findApiKeyRow(em: EntityManager, publicId: string): Promise<ApiKeyAuthRow | null> {
  const [row] = await fastQuery<CredentialColumns & { public_id: string; role: string; expires_at: string | null }>(
    em,
    'select id, tenant_id, organization_id, name, public_id, secret_hash, role, expires_at, last_used_at, revoked_at from api_keys where public_id = ? limit 1',
    [publicId],
    'plinto_api_key_auth',
  );
  return row ? { ...credentialFields(row), publicId: row.public_id, role: row.role, expiresAt: dateOf(row.expires_at) } : null;
}

export const toMachineClientRef = (row: Pick<MachineClientRow, 'id' | 'clientId' | 'tenantId' | 'name' | 'roles' | 'organizationId' | 'scopes'>): MachineClientRef => ({
  id: row.id,
  clientId: row.clientId,
  tenantId: row.tenantId,
  name: row.name,
  roles: row.roles,
  organizationId: row.organizationId ?? null,
  scopes: row.scopes,
});

/** The principal a machine client acts as (e.g. behind a client_credentials access token). */
export function machineClientPrincipal(ref: MachineClientRef): Principal {
  return {
    kind: 'machine_client',
    id: ref.id,
    tenantId: ref.tenantId,
    attributes: { clientId: ref.clientId, name: ref.name, organizationId: ref.organizationId, roles: ref.roles, scopes: ref.scopes },
  };
}

type ClientAuthRow = Pick<MachineClientRow, 'id' | 'tenantId' | 'organizationId' | 'name' | 'clientId' | 'secretHash' | 'roles' | 'scopes' | 'lastUsedAt' | 'revokedAt'>;

/**
 * The client row OAuth client authentication needs, by a prepared statement: every
 * client_credentials grant starts here, and MikroORM's findOne (query building, hydration) cost
 * more CPU than the lookup itself.
 */
async function findClientRow(em: EntityManager, tenantId: string, clientId: string): Promise<ClientAuthRow | null> {
  if (!isUuid(tenantId) || !isClientId(clientId)) return null;
  const [row] = await fastQuery<CredentialColumns & { client_id: string; roles: string[]; scopes: string[] }>(
    em,
    'select id, tenant_id, organization_id, name, client_id, secret_hash, roles, scopes, last_used_at, revoked_at from machine_clients where tenant_id = ? and client_id = ? limit 1',
    [tenantId, clientId],
    'plinto_client_auth',
  );
  return row ? { ...credentialFields(row), clientId: row.client_id, roles: row.roles, scopes: row.scopes } : null;
}

/** A live (not revoked) client of this tenant by its `client_id`, e.g. to re-check a token's client. */
export async function findMachineClient(em: EntityManager, tenantId: string, clientId: string): Promise<MachineClientRef | null> {
  const row = await findClientRow(em, tenantId, clientId);
  return row && !row.revokedAt ? toMachineClientRef(row) : null;
}

/**
 * OAuth client authentication (client_credentials, introspection, revocation): the client of
 * `tenantId` with this `client_id`, when `secret` is its live secret. Compares SHA-256 digests in
 * constant time, and does the same work for an unknown client. Null otherwise; a wrong secret
 * for a real client, or a revoked client, is audited.
 */
export async function verifyClientSecret(em: EntityManager, tenantId: string, clientId: string, secret: string, request?: RequestMeta, services?: ServiceRegistry): Promise<MachineClientRef | null> {
  // Remembered clients need the revocation list (the process's token services) to be used.
  const cached = services ? await liveCachedClient(em, services, tenantId, clientId, secret) : null;
  if (cached) return toMachineClientRef(cached);
  const row = await findClientRow(em, tenantId, clientId);
  const matches = secretMatches(secret, row?.secretHash);
  if (!row) return null;
  const reason = !matches ? 'secret_mismatch' : row.revokedAt ? 'revoked' : null;
  if (reason) {
    await auditRejectedUse(em, 'machine_clients', row.id, (tx) =>
      recordEvent(tx, credentialActor('machine_client', row.id, request), CredentialEvents.of('machine_client.authentication_failed', {
        tenantId: row.tenantId,
        organizationId: row.organizationId ?? null,
        target: { type: 'machine_client', id: row.id },
        outcome: 'failure',
        data: { clientId: row.clientId, reason },
      })),
    );
    return null;
  }
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(MachineClient, { id: row.id }, { lastUsedAt: new Date(now) });
    row.lastUsedAt = new Date(now);
  }
  rememberClient(row);
  return toMachineClientRef(row);
}

/**
 * Live clients this process authenticated lately, so a client_credentials grant needs no database
 * read. Safe to keep: a client's secret never changes (a new secret is a new client), and a
 * revocation is honoured through the revocation list — the same check, with the same
 * propagation, that stops the client's access tokens (`client:<client_id>`, see revokeClient) —
 * before a remembered client is used. Anything unusual (wrong secret, revoked, not remembered) goes
 * the full way through the database, with its audit trail.
 */
const CLIENT_CACHE_MS = 30_000;
const rememberedClients = new Map<string, { row: ClientAuthRow; until: number }>();
const clientKey = (tenantId: string, clientId: string) => `${tenantId}\u0000${clientId}`;

function rememberClient(row: ClientAuthRow): void {
  if (rememberedClients.size >= 10_000) rememberedClients.clear();
  rememberedClients.set(clientKey(row.tenantId, row.clientId), { row, until: Date.now() + CLIENT_CACHE_MS });
}

async function liveCachedClient(em: EntityManager, services: ServiceRegistry, tenantId: string, clientId: string, secret: string): Promise<ClientAuthRow | null> {
  const key = clientKey(tenantId, clientId);
  const hit = rememberedClients.get(key);
  const now = Date.now();
  if (!hit || hit.until <= now || !secretMatches(secret, hit.row.secretHash)) return null;
  if (await tokenServicesOf({ services }).revocations.isRevoked([`client:${clientId}`])) {
    rememberedClients.delete(key);
    return null;
  }
  // Last use is still recorded (at most once a minute), as on the full path.
  if (!hit.row.lastUsedAt || now - hit.row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    hit.row.lastUsedAt = new Date(now);
    await em.nativeUpdate(MachineClient, { id: hit.row.id }, { lastUsedAt: hit.row.lastUsedAt });
  }
  return hit.row;
}
