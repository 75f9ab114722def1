import { z } from 'zod';
import { defineQueue } from './queues';

/**
 * The `email` queue: every message Plinto sends. Producers write an outbox effect (in the
 * transaction that made the change); the processor in workers/ renders the template of `template`
 * and delivers it over SMTP. A payload carries what the template needs, not rendered text, so
 * templates can change without touching producers. `link` holds a secret token: it is never logged.
 */
export const emailTemplates = [
  'email_verification',
  'password_reset',
  'password_changed',
  'magic_link',
  'account_exists',
  'mfa_enabled',
  'mfa_disabled',
  'invitation',
] as const;

export type EmailTemplate = (typeof emailTemplates)[number];

export const emailMessageSchema = z.object({
  template: z.enum(emailTemplates),
  tenantId: z.uuid(),
  to: z.email(),
  /** The recipient's display name, when known. */
  name: z.string().max(200).nullable().optional(),
  /** The link the message carries (built from the tenant's app URL); absent for notices. */
  link: z.url().optional(),
  /** Minutes until the link expires, for the wording. */
  expiresInMinutes: z.number().int().positive().optional(),
  /** Invitations: the organization joined, who invited, their note, and the role offered. */
  organizationName: z.string().max(200).optional(),
  inviterName: z.string().max(320).nullable().optional(),
  message: z.string().max(2000).nullable().optional(),
  role: z.string().max(100).optional(),
});

export type EmailMessage = z.infer<typeof emailMessageSchema>;

export const EmailQueue = defineQueue('email', emailMessageSchema, {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
});
export const EMAIL_QUEUE = EmailQueue.name;

/** Email transport settings (read by the email worker). */
export const emailConfigSchema = z.object({
  /** `smtp` sends for real; `log` writes a line per message (never its link) for development. */
  EMAIL_PROVIDER: z.enum(['smtp', 'log']).default('log'),
  SMTP_HOST: z.string().default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_USERNAME: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  SMTP_FROM_EMAIL: z.email().default('no-reply@plinto.local'),
  EMAIL_CONCURRENCY: z.coerce.number().int().positive().default(16),
});

export type EmailConfig = z.infer<typeof emailConfigSchema>;

/** The email section of a tenant's settings: where emailed links point, and the sender's name. */
export const emailTenantSettings = z.object({
  appUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Base URL of the tenant application; emailed links are built from it'),
  emailSenderName: z.string().min(1).max(100).optional().describe('Display name used as the email sender'),
});
