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
