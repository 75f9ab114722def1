import { z } from 'zod';
import { PROVIDERS } from './providers';

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'Lowercase letters, digits and inner hyphens, 1-40 characters');
const url = z.url().max(2048);

export const createConnectionInput = z.object({
  slug: slug.describe('In the sign-in URL: /t/{tenant}/social/{slug}/start'),
  provider: z.enum(PROVIDERS).describe('google, github, microsoft, or oidc (any OpenID Connect provider)'),
  name: z.string().trim().min(1).max(100).optional().describe('Shown on the sign-in button (default: the provider)'),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000).describe('Sealed at rest; never shown again'),
  issuer: url.optional().describe('The OpenID Connect issuer (required for oidc; overrides the Google/Microsoft preset, e.g. a single Entra ID directory)'),
  endpoints: z
    .object({ authorization: url.optional(), token: url.optional(), api: url.optional() })
    .optional()
    .describe("GitHub only: authorize, token and API URLs (GitHub Enterprise Server); the preset's by default"),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).max(20).optional(),
  allowSignUp: z.boolean().optional().describe('Create an account for a new person (default true)'),
  enabled: z.boolean().optional(),
});
export type CreateConnectionInput = z.infer<typeof createConnectionInput>;

export const updateConnectionInput = createConnectionInput.omit({ slug: true, provider: true }).partial().extend({ id: z.uuid() });

export const connectionOutput = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    provider: z.enum(PROVIDERS),
    name: z.string(),
    clientId: z.string(),
    issuer: z.string().nullable(),
    endpoints: z.record(z.string(), z.string()),
    scopes: z.array(z.string()),
    allowSignUp: z.boolean(),
    enabled: z.boolean(),
    redirectUri: z.string().describe('Give this to the provider as the redirect (callback) URI'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SignInConnection' });
export type ConnectionDto = z.infer<typeof connectionOutput>;

export const publicConnectionOutput = z.object({ slug: z.string(), provider: z.enum(PROVIDERS), name: z.string(), startUrl: z.string() });

export const identityOutput = z
  .object({ id: z.uuid(), connection: z.string(), provider: z.string(), name: z.string().describe("The connection's display name"), email: z.string().nullable(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable() })
  .meta({ id: 'LinkedIdentity' });
