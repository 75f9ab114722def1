import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from './password/policy';
import { tokenResponseShape } from './tokens/issue';

/**
 * Emails are compared and stored normalised: NFKC, trimmed, lower-cased (the whole address; no
 * mail provider in practice treats local parts case-sensitively), so `Ann@X.com` and `ann@x.com`
 * are one account.
 */
export const normalizeEmail = (email: string): string => email.normalize('NFKC').trim().toLowerCase();

export const emailInput = z
  .string()
  .max(320)
  .transform(normalizeEmail)
  .pipe(z.email('A valid email address'))
  .describe('Email address (case-insensitive)');

/** Only the upper bound is checked here; the policy (length, blocklist) is checked by the service. */
export const passwordInput = z.string().min(1).max(PASSWORD_MAX_LENGTH).describe('Password (8-256 characters, any characters)');

export const tokenInput = z.string().min(16).max(200).describe('The token from the emailed link (its `token` query parameter)');

export const userOutput = z
  .object({
    id: z.uuid(),
    email: z.string(),
    emailVerified: z.boolean(),
    displayName: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    disabled: z.boolean(),
    mfaEnabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastSignInAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'User' });

export type UserDto = z.infer<typeof userOutput>;

/** What a completed first factor answers: tokens (OAuth field names), or an MFA challenge to complete. */
export const signInOutput = z
  .discriminatedUnion('status', [
    z.object({
      status: z.literal('signed_in'),
      ...tokenResponseShape,
      session_id: z.uuid(),
      amr: z.array(z.string()).describe('Authentication methods (RFC 8176): pwd, otp, email, hwk (a passkey), mfa (the passkey verified the person)'),
      aal: z.number().int().describe('Authenticator assurance level: 1 single factor, 2 multi-factor'),
      user: userOutput,
      mfaEnrollmentRequired: z
        .boolean()
        .optional()
        .describe("True when the tenant requires a second factor and the user has none: this session holds no permission until the user enrols (POST /auth/mfa/totp) and signs in with it"),
    }),
    z.object({
      status: z.literal('mfa_required'),
      challengeToken: z.string().describe('Pass to POST /auth/mfa/verify with a code, or to POST /auth/mfa/passkey/options then /auth/mfa/passkey'),
      methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
      expiresAt: z.iso.datetime(),
    }),
  ])
  .meta({ id: 'SignInResult' });

export type SignInResult = z.infer<typeof signInOutput>;

/** The one answer to requests that must not reveal whether an account exists. */
export const acceptedOutput = z
  .object({ status: z.literal('accepted'), message: z.string() })
  .meta({ id: 'Accepted' });
