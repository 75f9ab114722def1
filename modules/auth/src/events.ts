import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const email = z.object({ email: z.string() });
const method = z.object({ method: z.string() });

/** The events this module records (the action catalog, webhook event types). */
export const AuthEvents = defineEvents('auth', {
  'user.created': { description: 'A user signed up, or a tenant admin created one', data: z.object({ email: z.string(), method: z.string() }) },
  'user.sign_up_duplicate': { description: 'A sign-up used an email that already has an account (the owner was emailed)', data: email },
  'user.signed_in': { description: 'A user signed in; a session was created', data: z.object({ sessionId: z.uuid(), method: z.string(), amr: z.array(z.string()), aal: z.number() }) },
  'user.sign_in_failed': { description: 'A sign-in failed (wrong password, disabled, unverified)', data: z.object({ email: z.string(), method: z.string(), reason: z.string() }).loose() },
  'user.locked': { description: 'Too many failed sign-ins: the account is temporarily locked', data: z.object({ email: z.string(), failedAttempts: z.number(), lockSeconds: z.number() }) },
  'user.updated': { description: 'A tenant admin changed a user', data: z.object({ changed: z.array(z.string()) }) },
  'user.disabled': { description: 'A user was disabled; every session ended', data: z.object({ sessionsRevoked: z.number() }) },
  'user.enabled': { description: 'A disabled user was enabled', data: z.object({}) },
  'user.verification_resent': { description: 'A tenant admin sent a user the email verification link again', data: z.object({}) },
  'user.deleted': { description: 'A user was deleted with their sessions and credentials', data: email },
  'email.verified': { description: "A user's email address was verified", data: email },
  'email.change_requested': { description: 'A user asked to change their email address; a confirmation link went to the new address', data: email },
  'email.changed': { description: "A user confirmed a new email address (the old one was notified)", data: z.object({ email: z.string(), previousEmail: z.string() }) },
  'password.reset_requested': { description: 'A password reset link was requested (failure outcome: no such account)', data: email.loose() },
  'password.changed': { description: 'A password was changed (every session ended)', data: z.object({ method: z.string(), sessionsRevoked: z.number() }) },
  'magic_link.sent': { description: 'A sign-in link was emailed (failure outcome: no such account)', data: email.loose() },
  'magic_link.consumed': { description: 'A sign-in link was used', data: z.object({}) },
  'mfa.enrollment_started': { description: 'A user started TOTP enrollment', data: method },
  'mfa.enabled': { description: 'TOTP two-factor authentication was turned on', data: z.object({ method: z.string(), recoveryCodes: z.number() }) },
  'mfa.recovery_codes_regenerated': { description: 'A user replaced their ten recovery codes (the old ones stopped working)', data: z.object({ recoveryCodes: z.number() }) },
  'mfa.disabled': { description: 'TOTP two-factor authentication was turned off', data: method },
  'mfa.reset': { description: "A tenant admin reset a user's two-factor authentication (TOTP and recovery codes removed)", data: method },
  'mfa.challenge_issued': { description: 'A first factor succeeded; an MFA challenge was issued', data: z.object({ challengeId: z.uuid(), method: z.string() }) },
  'mfa.verification_failed': { description: 'A wrong MFA code was sent', data: z.object({ challengeId: z.uuid(), attempt: z.number(), challengeInvalidated: z.boolean() }) },
  'mfa.recovery_code_used': { description: 'A recovery code completed an MFA challenge', data: z.object({}) },
  'session.refreshed': { description: "A session's refresh token was rotated", data: z.object({ sessionId: z.uuid(), userId: z.uuid() }) },
  'session.token_reuse_detected': {
    description: 'A rotated refresh token was used again: the whole family (session) was revoked',
    data: z.object({ sessionId: z.uuid(), userId: z.uuid(), refreshTokenId: z.uuid() }).loose(),
  },
  'session.revoked': { description: 'A session ended (sign-out, user, admin or client revocation)', data: z.object({ sessionId: z.uuid(), userId: z.uuid(), reason: z.string() }) },
  'session.revoked_all': { description: "Every session of a user ended (optionally but the caller's)", data: z.object({ userId: z.uuid(), sessionIds: z.array(z.uuid()), reason: z.string() }).loose() },
  'session.organization_switched': { description: 'A session changed its active organization (carried by its access tokens)', data: z.object({ sessionId: z.uuid(), userId: z.uuid(), organizationId: z.uuid().nullable() }) },
  'access_token.revoked': { description: 'An access token was revoked before it expired', data: z.object({ tokenId: z.string() }).loose() },
  'client.token_issued': { description: 'A machine client obtained an access token (client_credentials)', data: z.object({ clientId: z.string(), tokenId: z.string(), scopes: z.array(z.string()) }) },
  'signing_key.rotated': { description: "A new signing key became current; the old one stays published until its tokens expire", data: z.object({ kid: z.string(), reason: z.string() }).loose() },
  'signing_key.retired': { description: 'A rotated-out signing key left the JWKS (all its tokens had expired)', data: z.object({ kid: z.string(), use: z.literal('id_token').optional(), alg: z.string().optional() }) },
});
