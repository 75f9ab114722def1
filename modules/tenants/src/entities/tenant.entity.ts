import { defineEntity, p } from '@mikro-orm/core';
import type { TenantSettings } from '../tenant.schemas';

export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    id: p.uuid().primary(),
    slug: p.string().unique(),
    name: p.string(),
    status: p.enum(['active', 'disabled'] as const),
    settings: p.json<TenantSettings>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    disabledAt: p.datetime().nullable(),
  },
});

/** A platform operator's credential: manages tenants across the whole installation. */
export const PlatformApiKey = defineEntity({
  name: 'PlatformApiKey',
  tableName: 'platform_api_keys',
  properties: {
    id: p.uuid().primary(),
    name: p.string(),
    /** The first characters of the key, shown in listings so an operator can tell keys apart. */
    prefix: p.string(),
    keyHash: p.string().unique(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});

/**
 * A platform operator's console sign-in: the platform key was shown once on the console's sign-in
 * form and exchanged for this server-side session, which the browser holds only as an HttpOnly
 * cookie. It lives as long as its key: revoking the key ends every session made with it.
 */
export const PlatformOperatorSession = defineEntity({
  name: 'PlatformOperatorSession',
  tableName: 'platform_operator_sessions',
  properties: {
    id: p.uuid().primary(),
    keyId: p.uuid(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    endedAt: p.datetime().nullable(),
    ip: p.string().nullable(),
    userAgent: p.string().nullable(),
  },
});
