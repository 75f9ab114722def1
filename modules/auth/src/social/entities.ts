import { defineEntity, p } from '@mikro-orm/core';

/**
 * A tenant's sign-in connection to an external identity provider: a preset (Google, GitHub,
 * Microsoft) or any OpenID Connect issuer. The client secret is sealed at rest (AES-256-GCM under
 * a key derived from PLINTO_MASTER_KEY, bound to the connection's id).
 */
export const SocialConnection = defineEntity({
  name: 'SocialConnection',
  tableName: 'social_connections',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    /** In URLs: /t/{tenant}/social/{slug}/start. */
    slug: p.string(),
    provider: p.string(),
    name: p.string(),
    clientId: p.string(),
    clientSecret: p.text(),
    /** OIDC issuer (google, microsoft, oidc); the preset's unless overridden. */
    issuer: p.string().nullable(),
    /** GitHub's endpoints (authorize, token, API), overridable for GitHub Enterprise and tests. */
    endpoints: p.json<Record<string, string>>(),
    scopes: p.json<string[]>(),
    allowSignUp: p.boolean(),
    enabled: p.boolean(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/** An external account (provider subject) linked to a user. */
export const ExternalIdentity = defineEntity({
  name: 'ExternalIdentity',
  tableName: 'external_identities',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    connectionId: p.uuid(),
    subject: p.string(),
    email: p.string().nullable(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
  },
});
