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
