import { z } from 'zod';

const hostname = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host is covered by an RP ID when it is that domain or one of its subdomains (WebAuthn §5.1.4). */
export const hostMatchesRpId = (host: string, rpId: string) => host === rpId || host.endsWith(`.${rpId}`);

/** Browsers allow WebAuthn on http only for localhost; anything else must be https. */
const secureOrigin = (url: URL) => url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));

/** The `passkeys` section of a tenant's settings. */
export const passkeyTenantSettings = z
  .object({
    rpId: z.string().toLowerCase().regex(hostname, 'A domain name, e.g. example.com').optional().describe('Relying-party ID: the domain passkeys are bound to (default: the host of PUBLIC_URL)'),
    rpName: z.string().trim().min(1).max(100).optional().describe('The name authenticators show (default: the tenant name)'),
    origins: z
      .array(z.url())
      .min(1)
      .max(20)
      .optional()
      .describe('Origins allowed to run passkey ceremonies (default: the origins of PUBLIC_URL and the app URL); each must be https (or http on localhost) and within the RP ID'),
    userVerification: z
      .enum(['required', 'preferred'])
      .optional()
      .describe('`required` (default): the authenticator must verify the person (PIN, biometric); `preferred` also accepts presence only, which is then a single factor'),
  })
  .superRefine((value, ctx) => {
    for (const [i, origin] of (value.origins ?? []).entries()) {
      const url = new URL(origin);
      if (!secureOrigin(url)) ctx.addIssue({ code: 'custom', path: ['origins', i], message: 'Must be https (http only on localhost)' });
      else if (value.rpId && !hostMatchesRpId(url.hostname, value.rpId)) ctx.addIssue({ code: 'custom', path: ['origins', i], message: `Not within the RP ID ${value.rpId}` });
    }
  });
