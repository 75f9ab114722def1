import type { EmailMessage, EmailTemplate } from '@plinto/kernel';
import type { Values } from './template-language';

/** Variables every message offers. */
const COMMON = ['appName', 'recipientName', 'recipientEmail'] as const;
const LINK = ['link', 'expiresIn'] as const;

/** The variables each message's template may use (anything else is refused on save). */
export const TEMPLATE_VARIABLES: Record<EmailTemplate, readonly string[]> = {
  email_verification: [...COMMON, ...LINK],
  password_reset: [...COMMON, ...LINK],
  account_exists: [...COMMON, ...LINK],
  magic_link: [...COMMON, ...LINK],
  password_changed: COMMON,
  mfa_enabled: COMMON,
  mfa_disabled: COMMON,
  email_change: [...COMMON, ...LINK],
  email_changed: COMMON,
  invitation: [...COMMON, ...LINK, 'organizationName', 'inviterName', 'inviterMessage', 'role'],
};

/** "30 minutes", "2 hours", "7 days": how long a link works, in words. */
export function expiresIn(minutes: number | undefined, unit: 'days' | 'hours'): string | undefined {
  if (!minutes) return undefined;
  if (unit === 'days') {
    const days = Math.max(1, Math.round(minutes / 1440));
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  return minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
}

/** The values of a queued message's variables. */
export function valuesOf(message: EmailMessage, appName: string): Values {
  return {
    appName,
    recipientName: message.name ?? undefined,
    recipientEmail: message.to,
    link: message.link,
    // Invitations last days; sign-in and reset links minutes or hours.
    expiresIn: expiresIn(message.expiresInMinutes, message.template === 'invitation' ? 'days' : 'hours'),
    organizationName: message.organizationName ?? (message.template === 'invitation' ? appName : undefined),
    inviterName: message.inviterName ?? undefined,
    inviterMessage: message.message ?? undefined,
    role: message.role,
  };
}

/** Made-up values for a preview, so an admin sees every part of a template filled in. */
export function sampleValues(template: EmailTemplate, appName: string): Values {
  const all: Values = {
    appName,
    recipientName: 'Ada Lovelace',
    recipientEmail: 'ada@example.com',
    link: 'https://app.example.com/link?token=preview',
    expiresIn: template === 'invitation' ? '7 days' : '30 minutes',
    organizationName: 'Analytical Engines',
    inviterName: 'Charles Babbage',
    inviterMessage: 'Welcome aboard!',
    role: 'member',
  };
  return Object.fromEntries(TEMPLATE_VARIABLES[template].map((name) => [name, all[name]]));
}
