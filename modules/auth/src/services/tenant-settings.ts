import { z } from 'zod';
import { EMAIL_QUEUE, emailTenantSettings, tenantSection, type Config, type EmailMessage, type SideEffect, type TenantRef } from '@plinto/kernel';
import { DEFAULT_PASSWORD_MIN_LENGTH } from '../password/policy';
import { passkeyTenantSettings } from '../passkeys/settings';

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
});

export type AuthTenantSettings = z.infer<typeof authTenantSettings>;

export const authSettingsOf = (tenant: Pick<TenantRef, 'settings'>): AuthTenantSettings => tenantSection(tenant, authTenantSettings);

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
