import { defineEntity, p } from '@mikro-orm/core';

/** One of a tenant's JWT signing keys (see signing-keys.ts for its life: current → previous → retired). */
export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: p.string().primary(),
    tenantId: p.uuid(),
    alg: p.enum(['EdDSA', 'ES256'] as const),
    publicJwk: p.json<Record<string, unknown>>(),
    privateKeySealed: p.text(),
    status: p.enum(['current', 'previous', 'retired'] as const),
    createdAt: p.datetime(),
    rotatedAt: p.datetime().nullable(),
    retireAfter: p.datetime().nullable(),
    retiredAt: p.datetime().nullable(),
  },
});

/** A member of a session's refresh-token family; only the SHA-256 of the token is stored. */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    sessionId: p.uuid(),
    tokenHash: p.string(),
    parentId: p.uuid().nullable(),
    status: p.enum(['active', 'rotated', 'revoked'] as const),
    createdAt: p.datetime(),
    rotatedAt: p.datetime().nullable(),
    successorId: p.uuid().nullable(),
    successorSealed: p.text().nullable(),
    expiresAt: p.datetime(),
  },
});

/** A revoked session (`sid:`), machine client (`client:`) or access token (`jti:`). */
export const TokenRevocation = defineEntity({
  name: 'TokenRevocation',
  tableName: 'token_revocations',
  properties: {
    key: p.string().primary(),
    tenantId: p.uuid().nullable(),
    expiresAt: p.datetime(),
    createdAt: p.datetime(),
  },
});
