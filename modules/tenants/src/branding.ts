import { z } from 'zod';
import { adminSetting, tenantSection, type TenantRef } from '@plinto/kernel';

/**
 * How a tenant's hosted pages look: its name, logo, colours and support address. The tenants
 * module owns it (it owns how a tenant presents itself; the pages are the tenant's, not one
 * feature's). Colours are refused when text on them would fail WCAG AA (4.5:1), so a tenant
 * cannot brand its sign-in page into inaccessibility.
 */
export const AA_CONTRAST = 4.5;
const WHITE = '#ffffff';
/** The hosted pages' background when a tenant sets none (Mantine's light body). */
export const DEFAULT_BACKGROUND = WHITE;

const hexColor = z.string().regex(/^#[0-9a-f]{6}$/, 'A colour as #rrggbb (lowercase hex)');

/**
 * An https URL a CSP `img-src` can name exactly: no credentials, fragment or trailing slash (a
 * source ending in `/` would allow a whole directory), and none of the characters that end a CSP
 * source (`;` `,` quotes, spaces).
 */
const logoUrl = z
  .url({ protocol: /^https$/, error: 'An https URL' })
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && !url.username && !url.password && !url.hash && !url.pathname.endsWith('/') && !/[\s;,'"]/.test(url.href);
    } catch {
      return false;
    }
  }, 'An https URL of one image: no credentials, fragment, trailing slash, spaces, quotes, ";" or ","');

const brandingShape = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional().describe("Name shown on the pages and in their titles (default: the tenant's name)"),
  logoUrl: logoUrl.optional().describe("https URL of the logo; the pages' CSP allows exactly this image"),
  primaryColor: hexColor.optional().describe('Buttons and links (#rrggbb); white text on it must reach WCAG AA 4.5:1'),
  backgroundColor: hexColor.optional().describe('Page background (#rrggbb); the primary colour on it must reach WCAG AA 4.5:1'),
  supportEmail: z.email().max(254).optional().describe('Support address shown on the pages (help and error text)'),
});

export const branding = brandingShape
  .superRefine((value, ctx) => {
    if (value.primaryColor) {
      const onPrimary = contrastRatio(WHITE, value.primaryColor);
      if (onPrimary < AA_CONTRAST) {
        ctx.addIssue({ code: 'custom', path: ['primaryColor'], message: `White text on ${value.primaryColor} has contrast ${onPrimary.toFixed(2)}:1; WCAG AA needs ${AA_CONTRAST}:1 (choose a darker colour)` });
        return;
      }
    }
    // The name above the card and the links below it are in the primary colour on the background.
    const primary = value.primaryColor ?? DEFAULT_PRIMARY;
    const background = value.backgroundColor ?? DEFAULT_BACKGROUND;
    const pair = contrastRatio(primary, background);
    if (pair < AA_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: [value.backgroundColor ? 'backgroundColor' : 'primaryColor'],
        message: `The primary colour ${primary} on the background ${background} has contrast ${pair.toFixed(2)}:1; WCAG AA needs ${AA_CONTRAST}:1`,
      });
    }
  })
  .describe('Branding of the hosted pages');

/** The hosted pages' primary colour when a tenant sets none (Mantine's indigo, shade 8). */
export const DEFAULT_PRIMARY = '#3b5bdb';

/** The tenants module's section of a tenant's settings. */
export const tenantsTenantSettings = z.object({
  branding: adminSetting(branding.optional()),
});

export type Branding = z.infer<typeof brandingShape>;

/** What anyone may learn of a tenant's look (the hosted pages and adopters' own pages read it). */
export interface PublicBranding {
  name: string;
  logoUrl: string | null;
  primaryColor: string | null;
  backgroundColor: string | null;
  supportEmail: string | null;
}

export function brandingOf(tenant: Pick<TenantRef, 'name' | 'settings'>): PublicBranding {
  const own = tenantSection(tenant, tenantsTenantSettings).branding ?? {};
  return {
    name: own.displayName ?? tenant.name,
    logoUrl: own.logoUrl ?? null,
    primaryColor: own.primaryColor ?? null,
    backgroundColor: own.backgroundColor ?? null,
    supportEmail: own.supportEmail ?? null,
  };
}

export const publicBrandingOutput = z
  .object({
    name: z.string(),
    logoUrl: z.string().nullable(),
    primaryColor: z.string().nullable(),
    backgroundColor: z.string().nullable(),
    supportEmail: z.string().nullable(),
  })
  .meta({ id: 'TenantBranding' });

/** The CSP source that allows exactly the logo (origin and path; CSP matching ignores the query). */
export function logoCspSource(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || /[\s;,'"]/.test(parsed.pathname)) return null;
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** WCAG 2 contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
