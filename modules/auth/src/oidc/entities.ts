import { defineEntity, p } from '@mikro-orm/core';

export const APPLICATION_TYPES = ['web', 'spa', 'native'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];
/** What an application's ID tokens may be signed with (RS256 first: every relying party supports it, OIDC Core §15.1). */
export const ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/**
 * An OpenID Connect client of the tenant (an "application"). `web` clients are confidential (a
 * secret, shown once); `spa` and `native` are public and must use PKCE. Redirect URIs match
 * exactly, character for character.
 */
export const Application = defineEntity({
  name: 'Application',
  tableName: 'applications',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    clientId: p.string(),
    secretHash: p.string().nullable(),
    name: p.string(),
    type: p.enum([...APPLICATION_TYPES]),
    redirectUris: p.json<string[]>(),
    postLogoutRedirectUris: p.json<string[]>(),
    allowedOrigins: p.json<string[]>(),
    grantTypes: p.json<string[]>(),
    /** RFC 8707 resource indicators (API audiences) the application may ask access tokens for. */
    resources: p.json<string[]>(),
    /** First-party applications skip the consent screen. */
    firstParty: p.boolean(),
    /** `idTokenSignedResponseAlg` in the API (OIDC Dynamic Client Registration's `id_token_signed_response_alg`). */
    idTokenAlg: p.enum([...ID_TOKEN_ALGS]),
    logoUri: p.string().nullable(),
    /** Shorter access/ID token lifetime than AUTH_ACCESS_TOKEN_TTL_SECONDS; null: the server's. */
    accessTokenTtlSeconds: p.integer().nullable(),
    /** Shorter session (refresh token) lifetime than AUTH_SESSION_TTL_HOURS; null: the server's. */
    sessionTtlHours: p.integer().nullable(),
    createdByType: p.string(),
    createdById: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
  },
});
