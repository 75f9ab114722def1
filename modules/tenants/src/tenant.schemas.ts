import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const tenantSlug = z
  .string()
  .regex(SLUG_PATTERN, 'Lowercase letters, digits and inner hyphens, 1-63 characters')
  .describe('URL-safe tenant identifier, unique across the installation');

/** Per-tenant settings. Unknown keys are refused so a typo never silently does nothing. */
export const tenantSettingsSchema = z
  .strictObject({
    appUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Base URL of the tenant application; emailed links are built from it'),
    emailSenderName: z.string().min(1).max(100).optional().describe('Display name used as the email sender'),
    requireVerifiedEmail: z.boolean().optional().describe('Refuse sign-in until the email is verified'),
    auditRetentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe('Days audit events are kept (default AUDIT_LOG_RETENTION_DAYS)'),
    passwordMinLength: z
      .number()
      .int()
      .min(8)
      .max(64)
      .optional()
      .describe('Shortest password accepted at sign-up and reset (NIST SP 800-63B: at least 8; default 8)'),
  })
  .describe('Tenant settings');

export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const tenantStatus = z.enum(['active', 'disabled']);

export const tenantOutput = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    status: tenantStatus,
    settings: tenantSettingsSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    disabledAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Tenant' });

export type TenantDto = z.infer<typeof tenantOutput>;

export const tenantIdParam = z
  .string()
  .min(1)
  .max(64)
  .describe('The tenant id (uuid) or slug');
