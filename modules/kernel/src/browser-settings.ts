import { z } from 'zod';

/** A web origin: scheme, host and port, nothing else (`https://app.example.com`). */
export const webOrigin = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+$/, 'An origin: scheme://host[:port], no path')
  .refine((value) => {
    try {
      return new URL(value).origin === value;
    } catch {
      return false;
    }
  }, 'An origin exactly as a browser sends it (lowercase host, no default port, no trailing slash)');

/** The browser-facing section of a tenant's settings: which other sites' scripts may call the API. */
export const browserTenantSettings = z.object({
  allowedOrigins: z
    .array(webOrigin)
    .max(100)
    .optional()
    .describe('Origins whose browser scripts may call /trpc and /v1 with a bearer token (CORS); none by default'),
});

/**
 * The tenant's second-factor requirement. Kept in the kernel because two modules act on it: auth
 * (sign-in tells a user without a second factor to enrol) and authz (such a session holds no
 * permission until a second factor is proven).
 */
export const mfaTenantSettings = z.object({
  mfa: z
    .strictObject({
      required: z.boolean().optional().describe('Every user must sign in with a second factor: one without sends the user to enrol and holds no permission until then'),
    })
    .optional()
    .describe('Multi-factor authentication policy of the tenant'),
});

/** Whether `principal`, a signed-in user below AAL2, is held back by the tenant's MFA requirement. */
export function lacksRequiredMfa(tenant: { settings: Record<string, unknown> }, principal: { kind: string; attributes: Record<string, unknown> } | null): boolean {
  if (principal?.kind !== 'user') return false;
  const mfa = tenant.settings.mfa as { required?: unknown } | undefined;
  return mfa?.required === true && Number(principal.attributes.aal ?? 1) < 2;
}
