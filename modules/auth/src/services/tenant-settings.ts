import { z } from 'zod';
import { EMAIL_QUEUE, emailTenantSettings, tenantSection, type Config, type EmailMessage, type SideEffect, type TenantRef } from '@plinto/kernel';
import { DEFAULT_PASSWORD_MIN_LENGTH } from '../password/policy';
import { passkeyTenantSettings } from '../passkeys/settings';
import { authConfig } from '../config';

/** The auth section of a tenant's settings. */
export const authTenantSettings = z.object({
  requireVerifiedEmail: z.boolean().optional().describe('Refuse sign-in until the email is verified'),
  passwordMinLength: z
    .number()
    .int()
    .min(8)
    .max(64)
    .optional()
    .describe(`Shortest password accepted at sign-up and reset (NIST SP 800-63B: at least 8; default ${DEFAULT_PASSWORD_MIN_LENGTH})`),
  passkeys: passkeyTenantSettings.optional().describe('Passkeys (WebAuthn): relying-party ID, allowed origins, user verification'),
  accessTokenTtlSeconds: z
    .number()
    .int()
    .min(30)
    .max(86_400)
    .optional()
    .describe("Lifetime of the tenant's access tokens, in seconds (default and upper bound: the installation's AUTH_ACCESS_TOKEN_TTL_SECONDS)"),
  sessionTtlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional()
    .describe("Lifetime of a session and its refresh tokens, in hours (default and upper bound: the installation's AUTH_SESSION_TTL_HOURS)"),
});

export type AuthTenantSettings = z.infer<typeof authTenantSettings>;

export const authSettingsOf = (tenant: Pick<TenantRef, 'settings'>): AuthTenantSettings => tenantSection(tenant, authTenantSettings);

/**
 * A tenant's lifetimes: its own setting when set, never beyond the installation's (which is the
 * default). Read from the request's cached tenant, so issuing a token costs no query.
 */
export function tenantLifetimes(config: Config, tenant: Partial<Pick<TenantRef, 'settings'>>): { accessTokenTtlSeconds: number; sessionTtlHours: number } {
  const installation = authConfig(config);
  // The tenant object itself: its parsed section is cached per tenant object (tenantSection).
  const own = tenant.settings ? authSettingsOf(tenant as Pick<TenantRef, 'settings'>) : {};
  return {
    accessTokenTtlSeconds: Math.min(own.accessTokenTtlSeconds ?? Infinity, installation.AUTH_ACCESS_TOKEN_TTL_SECONDS),
    sessionTtlHours: Math.min(own.sessionTtlHours ?? Infinity, installation.AUTH_SESSION_TTL_HOURS),
  };
}

/**
 * What emailed links are built from: the tenant's app URL (the email section of its settings), else
 * Plinto's hosted pages of the tenant (`{PUBLIC_URL}/t/{tenant}`).
 */
export const linkSettingsOf = (tenant: Pick<TenantRef, 'settings' | 'slug'>): LinkSettings => ({ ...tenantSection(tenant, emailTenantSettings), tenantSlug: tenant.slug });

export interface LinkSettings {
  appUrl?: string;
  /** The tenant whose hosted pages receive the link when it has no app URL. */
  tenantSlug?: string;
}

/** Where a tenant's emailed links point: its app URL, else its hosted pages, else PUBLIC_URL. */
export function linkBase(config: Config, settings: LinkSettings): string {
  if (settings.appUrl) return settings.appUrl.replace(/\/+$/, '');
  const base = config.PUBLIC_URL.replace(/\/+$/, '');
  return settings.tenantSlug ? `${base}/t/${encodeURIComponent(settings.tenantSlug)}` : base;
}

/**
 * An emailed link: the tenant's configured app URL (else its hosted pages) + `path` + `?token=`.
 * Never derived from the request's Host or X-Forwarded-* headers, which an attacker controls: a
 * poisoned header must not make us mail a victim a link to the attacker's site carrying the
 * victim's token. The hosted pages serve every path used here (/verify-email, /reset-password,
 * /magic-link, /accept-invitation).
 */
export function buildLink(config: Config, settings: LinkSettings, path: string, token: string): string {
  const url = new URL(`${linkBase(config, settings)}${path}`);
  url.searchParams.set('token', token);
  return url.toString();
}

export const emailEffect = (message: EmailMessage): SideEffect => ({
  queue: EMAIL_QUEUE,
  jobName: message.template,
  payload: { ...message },
});
