import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const tenantSlug = z
  .string()
  .regex(SLUG_PATTERN, 'Lowercase letters, digits and inner hyphens, 1-63 characters')
  .describe('URL-safe tenant identifier, unique across the installation');

/**
 * A tenant's settings: every module's own section (its manifest's `tenantSettings`), composed into
 * one flat object. Unknown keys are refused so a typo never silently does nothing.
 */
export function composeTenantSettings(sections: z.ZodObject[]): z.ZodObject {
  const shape: z.ZodRawShape = Object.assign({}, ...sections.map((s) => s.shape));
  return z.strictObject(shape).describe('Tenant settings').meta({ id: 'TenantSettings' });
}

export type TenantSettings = Record<string, unknown>;

export const tenantStatus = z.enum(['active', 'disabled']);

export function tenantOutputOf<S extends z.ZodType>(settings: S) {
  return z
    .object({
      id: z.uuid(),
      slug: z.string(),
      name: z.string(),
      status: tenantStatus,
      settings,
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
      disabledAt: z.iso.datetime().nullable(),
    })
    .meta({ id: 'Tenant' });
}

export interface TenantDto {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  settings: TenantSettings;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

export const tenantIdParam = z
  .string()
  .min(1)
  .max(64)
  .describe('The tenant id (uuid) or slug');
