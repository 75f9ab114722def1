import { z } from 'zod';

/**
 * The browser's answers, as `@simplewebauthn/browser` (or `PublicKeyCredential.toJSON()`) sends
 * them. Checked for shape here; everything that matters is verified by the WebAuthn library.
 */
const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, 'base64url');
const extensions = z.record(z.string(), z.unknown()).optional();

export const registrationResponse = z
  .object({
    id: b64url,
    rawId: b64url,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: b64url,
      attestationObject: b64url,
      authenticatorData: b64url.optional(),
      transports: z.array(z.string().max(32)).max(10).optional(),
      publicKeyAlgorithm: z.number().optional(),
      publicKey: b64url.optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: extensions.default({}),
  })
  .describe('The registration response (RegistrationResponseJSON)');

export const authenticationResponse = z
  .object({
    id: b64url,
    rawId: b64url,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: b64url,
      authenticatorData: b64url,
      signature: b64url,
      userHandle: b64url.optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: extensions.default({}),
  })
  .describe('The authentication response (AuthenticationResponseJSON)');

export const ceremonyId = z.string().min(16).max(100).describe('The ceremony id from the options call');
export const passkeyName = z.string().trim().min(1).max(100).describe('A name the user recognizes, e.g. "Work laptop"');

/** Options are the WebAuthn library's JSON, handed to the browser unchanged. */
const options = z.record(z.string(), z.unknown());

export const ceremonyOutput = z.object({
  ceremonyId,
  options: options.describe('PublicKeyCredential{Creation,Request}OptionsJSON for navigator.credentials (or @simplewebauthn/browser)'),
  expiresAt: z.iso.datetime(),
});

export const passkeyOutput = z
  .object({
    id: z.uuid(),
    name: z.string(),
    authenticator: z.string().nullable().describe('The authenticator model, from its AAGUID, when known'),
    aaguid: z.string(),
    backedUp: z.boolean().describe('Synced to a cloud account (multi-device), so losing the device does not lose the passkey'),
    deviceType: z.enum(['single_device', 'multi_device']),
    transports: z.array(z.string()),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Passkey' });
export type PasskeyDto = z.infer<typeof passkeyOutput>;
