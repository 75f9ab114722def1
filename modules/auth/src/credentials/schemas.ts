import { z } from 'zod';
import { pageInput } from '@plinto/kernel';
import { roleName } from '@plinto/authz';

/** Longest an API key may live (about ten years); keys without an expiry live until revoked. */
export const MAX_KEY_LIFETIME_DAYS = 3650;

const name = z.string().trim().min(1).max(100);
const organizationId = z.uuid().optional().describe('Owned by this organization: the role holds there only');
const createdBy = z.object({ type: z.string(), id: z.string().nullable() });

export const createApiKeyInput = z.object({
  name: name.describe('What the key is for'),
  role: roleName.describe('The authz role the key acts with; you must hold every permission it carries'),
  organizationId,
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the key stops working (ISO 8601)'),
  expiresInDays: z.number().int().min(1).max(MAX_KEY_LIFETIME_DAYS).optional().describe('Alternative to expiresAt'),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const apiKeyOutput = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The visible start of the key (`pak_` + its public id); the rest is never shown again'),
  role: z.string(),
  organizationId: z.uuid().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
  createdBy,
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().describe('Refreshed at most once a minute'),
  revokedAt: z.string().nullable(),
});
export type ApiKeyDto = z.infer<typeof apiKeyOutput>;

export const createdApiKeyOutput = apiKeyOutput.extend({
  key: z.string().describe('The API key, for `Authorization: Bearer`. Shown only in this response.'),
});

export const listApiKeysInput = z.object({
  ...pageInput,
  organizationId: z.uuid().optional().describe("Only this organization's keys"),
});

/** RFC 6749 §3.3 scope-token characters. */
const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'An OAuth scope: printable ASCII without spaces, quotes or backslashes');

export const createClientInput = z.object({
  name: name.describe('What the client is'),
  roles: z.array(roleName).max(20).default([]).describe('Roles the client acts with; you must hold every permission they carry'),
  organizationId,
  scopes: z.array(scopeToken).max(50).default([]).describe('OAuth scopes the client may be granted (client_credentials)'),
});
export type CreateClientInput = z.infer<typeof createClientInput>;

export const clientOutput = z.object({
  id: z.uuid(),
  clientId: z.string().describe('The OAuth client_id'),
  name: z.string(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  organizationId: z.uuid().nullable(),
  status: z.enum(['active', 'revoked']),
  createdBy,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ClientDto = z.infer<typeof clientOutput>;

export const createdClientOutput = clientOutput.extend({
  clientSecret: z.string().describe('The OAuth client_secret. Shown only in this response.'),
});

export const listClientsInput = listApiKeysInput;

export const idParam = z.object({ id: z.uuid().describe('The id returned at creation') });
