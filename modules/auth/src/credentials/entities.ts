import { defineEntity, p } from '@mikro-orm/core';

/**
 * A tenant's (or one organization's) API key. The caller sees the key once; only the SHA-256 of
 * the whole key is stored. `publicId` (the visible part after `pak_`) finds the row, so a wrong
 * secret for a real key can be told apart from an unknown key and audited.
 */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    /** Owned by this organization: its role holds in that organization only. Checked by the orgs module. */
    organizationId: p.uuid().nullable(),
    name: p.string(),
    publicId: p.string(),
    secretHash: p.string(),
    /** An authz role name; the key acts with that role's permissions (resolved at each decision). */
    role: p.string(),
    createdByType: p.string(),
    createdById: p.string().nullable(),
    createdAt: p.datetime(),
    expiresAt: p.datetime().nullable(),
    /** Refreshed at most once a minute, so a busy key does not turn every call into a write. */
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    /** Last time a rejected use was audited; bounds those audit rows to one a minute per key. */
    lastRejectedAt: p.datetime().nullable(),
  },
});

/** An OAuth client of the tenant for server-to-server calls (client_credentials, introspection). */
export const MachineClient = defineEntity({
  name: 'MachineClient',
  tableName: 'machine_clients',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid().nullable(),
    name: p.string(),
    /** The public OAuth `client_id` (`cli_...`). */
    clientId: p.string(),
    secretHash: p.string(),
    roles: p.json<string[]>(),
    /** OAuth scopes the client may be granted by the token endpoint. */
    scopes: p.json<string[]>(),
    createdByType: p.string(),
    createdById: p.string().nullable(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    lastRejectedAt: p.datetime().nullable(),
  },
});
