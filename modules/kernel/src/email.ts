import { z } from 'zod';
import { defineQueue } from './queues';
import { missing, registerConfigCheck, type ConfigProblem } from './config-checks';
import { adminSetting } from './config-sections';

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
  'email_change',
  'email_changed',
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

/** Email transport settings (read by the email worker); cross-field rules below. */
export const emailConfigSchema = z.object({
  /** `smtp`, `sendgrid` or `ses` send for real; `log` writes a line per message (never its link), for development. */
  EMAIL_PROVIDER: z.enum(['log', 'smtp', 'sendgrid', 'ses']).default('log'),
  /** The sender address of every message (its display name is the tenant's). */
  EMAIL_FROM: z.email().optional(),
  /** The older name of EMAIL_FROM, still read when EMAIL_FROM is unset. */
  SMTP_FROM_EMAIL: z.email().optional(),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_USERNAME: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  SENDGRID_API_KEY: z.string().optional(),
  /** SendGrid's API origin (a proxy's, or a local double in tests). */
  SENDGRID_API_URL: z.url().default('https://api.sendgrid.com'),
  /** The SES region; AWS_REGION when unset. */
  SES_REGION: z.string().optional(),
  AWS_REGION: z.string().optional(),
  /** The SES API endpoint (a VPC endpoint, or a local double in tests); the region's when unset. */
  SES_ENDPOINT: z.url().optional(),
  /** Explicit SES credentials; when unset the AWS SDK's own chain (environment, profile, instance role). */
  SES_ACCESS_KEY_ID: z.string().optional(),
  SES_SECRET_ACCESS_KEY: z.string().optional(),
  EMAIL_CONCURRENCY: z.coerce.number().int().positive().default(16),
});

export type EmailConfig = z.infer<typeof emailConfigSchema>;

/** The sender address: EMAIL_FROM, else the older SMTP_FROM_EMAIL, else a local default. */
export const emailFrom = (settings: EmailConfig): string => settings.EMAIL_FROM ?? settings.SMTP_FROM_EMAIL ?? 'no-reply@plinto.local';

registerConfigCheck((values) => {
  const problems: ConfigProblem[] = [];
  const provider = values.EMAIL_PROVIDER ?? 'log';
  const need = (variable: string, why: string) => missing(values, variable) && problems.push({ variables: ['EMAIL_PROVIDER', variable], message: `${variable} is required when ${why}` });
  if (provider === 'smtp') need('SMTP_HOST', 'EMAIL_PROVIDER=smtp');
  if (provider === 'sendgrid') need('SENDGRID_API_KEY', 'EMAIL_PROVIDER=sendgrid');
  if (provider === 'ses' && missing(values, 'SES_REGION') && missing(values, 'AWS_REGION')) {
    problems.push({ variables: ['EMAIL_PROVIDER', 'SES_REGION'], message: 'SES_REGION (or AWS_REGION) is required when EMAIL_PROVIDER=ses' });
  }
  if (!missing(values, 'SMTP_USERNAME') && missing(values, 'SMTP_PASSWORD')) {
    problems.push({ variables: ['SMTP_USERNAME', 'SMTP_PASSWORD'], message: 'SMTP_PASSWORD is required with SMTP_USERNAME' });
  }
  if (missing(values, 'SES_ACCESS_KEY_ID') !== missing(values, 'SES_SECRET_ACCESS_KEY')) {
    problems.push({ variables: ['SES_ACCESS_KEY_ID', 'SES_SECRET_ACCESS_KEY'], message: 'SES_ACCESS_KEY_ID and SES_SECRET_ACCESS_KEY go together' });
  }
  return problems;
});

/** The email section of a tenant's settings: where emailed links point, and the sender's name. */
export const emailTenantSettings = z.object({
  appUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Base URL of the tenant application; emailed links are built from it'),
  emailSenderName: adminSetting(z.string().min(1).max(100).optional().describe('Display name used as the email sender')),
});
