import { z } from 'zod';
import { pageInput } from '@plinto/kernel';
import { APPLICATION_TYPES, ID_TOKEN_ALGS } from './entities';

export const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A redirect URI an application may register: absolute, no fragment (RFC 6749 §3.1.2), no
 * userinfo (`https://good@evil` tricks), https — or http on a loopback host (RFC 8252 §7.3), or a
 * private-use scheme for native apps (`com.example.app:/callback`, RFC 8252 §7.1). Matched later
 * character for character, so what is stored is exactly what was registered.
 */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not an absolute URL';
  }
  if (value.includes('#')) return 'A redirect URI may not have a fragment';
  if (url.username || url.password) return 'A redirect URI may not carry userinfo';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return LOOPBACK.has(url.hostname) ? null : 'http is allowed for loopback hosts only; use https';
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return null;
  return 'Use https, http on a loopback host, or a reverse-domain private-use scheme';
}

const redirectUri = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const origin = z
  .string()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'An origin: scheme://host[:port], nothing after it');

const resource = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      new URL(value);
      return !value.includes('#');
    } catch {
      return false;
    }
  }, 'An absolute URI without a fragment (RFC 8707)');

const name = z.string().trim().min(1).max(100);
const uniqueList = <T extends z.ZodType<string>>(item: T, max: number) => z.array(item).max(max).transform((items) => [...new Set(items)]);

const settings = {
  redirectUris: uniqueList(redirectUri, 20).describe('Exact redirect URIs (compared character for character)'),
  postLogoutRedirectUris: uniqueList(redirectUri, 20).describe('Exact URIs end-session may send the browser back to'),
  allowedOrigins: uniqueList(origin, 20).describe('Browser origins allowed to call the API and token endpoint (CORS)'),
  grantTypes: z.array(z.enum(GRANT_TYPES)).min(1).transform((items) => [...new Set(items)]),
  resources: uniqueList(resource, 20).describe('API audiences (RFC 8707 resource indicators) the application may get access tokens for'),
  firstParty: z.boolean().describe('First-party applications skip the consent screen'),
  idTokenSignedResponseAlg: z
    .enum(ID_TOKEN_ALGS)
    .describe('How its ID tokens are signed (OIDC Dynamic Client Registration `id_token_signed_response_alg`): RS256 (the default; every relying party supports it), ES256 or EdDSA'),
  logoUri: z.url().max(500).nullable(),
  accessTokenTtlSeconds: z.number().int().min(30).max(86_400).nullable().describe("Access and ID token lifetime; capped at the server's AUTH_ACCESS_TOKEN_TTL_SECONDS; null: the server's"),
  sessionTtlHours: z.number().int().min(1).max(24 * 365).nullable().describe("Refresh token (session) lifetime; capped at the server's AUTH_SESSION_TTL_HOURS; null: the server's"),
};

export const createApplicationInput = z.object({
  name: name.describe('Shown on the consent screen'),
  type: z.enum(APPLICATION_TYPES).describe('web: confidential (gets a secret); spa, native: public (PKCE required)'),
  redirectUris: settings.redirectUris,
  postLogoutRedirectUris: settings.postLogoutRedirectUris.default([]),
  allowedOrigins: settings.allowedOrigins.default([]),
  grantTypes: settings.grantTypes.default(['authorization_code', 'refresh_token']),
  resources: settings.resources.default([]),
  firstParty: settings.firstParty.default(false),
  idTokenSignedResponseAlg: settings.idTokenSignedResponseAlg.default('RS256'),
  logoUri: settings.logoUri.optional(),
  accessTokenTtlSeconds: settings.accessTokenTtlSeconds.optional(),
  sessionTtlHours: settings.sessionTtlHours.optional(),
});
export type CreateApplicationInput = z.infer<typeof createApplicationInput>;

export const updateApplicationInput = z.object({
  id: z.uuid(),
  name: name.optional(),
  redirectUris: settings.redirectUris.optional(),
  postLogoutRedirectUris: settings.postLogoutRedirectUris.optional(),
  allowedOrigins: settings.allowedOrigins.optional(),
  grantTypes: settings.grantTypes.optional(),
  resources: settings.resources.optional(),
  firstParty: settings.firstParty.optional(),
  idTokenSignedResponseAlg: settings.idTokenSignedResponseAlg.optional(),
  logoUri: settings.logoUri.optional(),
  accessTokenTtlSeconds: settings.accessTokenTtlSeconds.optional(),
  sessionTtlHours: settings.sessionTtlHours.optional(),
});
export type UpdateApplicationInput = z.infer<typeof updateApplicationInput>;

export const applicationOutput = z.object({
  id: z.uuid(),
  clientId: z.string().describe('The OAuth client_id'),
  name: z.string(),
  type: z.enum(APPLICATION_TYPES),
  confidential: z.boolean().describe('Has a client secret (web applications)'),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  grantTypes: z.array(z.string()),
  resources: z.array(z.string()),
  firstParty: z.boolean(),
  idTokenSignedResponseAlg: z.enum(ID_TOKEN_ALGS),
  logoUri: z.string().nullable(),
  accessTokenTtlSeconds: z.number().int().nullable(),
  sessionTtlHours: z.number().int().nullable(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  updatedAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApplicationDto = z.infer<typeof applicationOutput>;

export const applicationWithSecretOutput = applicationOutput.extend({
  clientSecret: z.string().nullable().describe('The client secret of a web application. Shown only in this response.'),
});

export const listApplicationsInput = z.object({ ...pageInput });
export const applicationIdInput = z.object({ id: z.uuid().describe('The id returned at creation') });

export const consentOutput = z.object({
  applicationId: z.uuid(),
  clientId: z.string(),
  name: z.string(),
  logoUri: z.string().nullable(),
  scopes: z.array(z.string()),
  grantedAt: z.string(),
});
