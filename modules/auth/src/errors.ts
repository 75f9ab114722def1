import { defineErrors } from '@plinto/kernel';

export const AuthErrors = defineErrors({
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short' },
  PASSWORD_TOO_COMMON: { status: 400, message: 'This password is too common; choose another' },
  PASSWORD_CONTAINS_EMAIL: { status: 400, message: 'The password must not contain the email address' },
  PASSWORD_TOO_SIMPLE: { status: 400, message: 'The password is one repeated character, a plain sequence, or only spaces; choose another' },
  PASSWORD_INVALID_CHARACTERS: { status: 400, message: 'The password contains control characters' },
  EMAIL_NOT_VERIFIED: { status: 403, message: 'Verify your email address before signing in' },
  USER_DISABLED: { status: 403, message: 'This account is disabled' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  EMAIL_TAKEN: { status: 409, message: 'Another user of this tenant has this email address' },
  INVALID_TOKEN: { status: 400, message: 'The link or token is invalid or has expired' },
  INVALID_MFA_CODE: { status: 401, message: 'The code is not valid' },
  MFA_CHALLENGE_INVALID: { status: 401, message: 'The MFA challenge is invalid or has expired; sign in again' },
  MFA_ALREADY_ENABLED: { status: 409, message: 'Two-factor authentication is already enabled' },
  MFA_NOT_ENABLED: { status: 409, message: 'Two-factor authentication is not enabled' },
  MFA_ENROLLMENT_NOT_STARTED: { status: 409, message: 'Start the enrollment first' },
  SESSION_REQUIRED: { status: 403, message: 'This operation needs a signed-in user' },
  ACCOUNT_LOCKED: { status: 429, message: 'Too many failed attempts; try again later' },
  SIGN_IN_THROTTLED: { status: 429, message: 'Too many attempts; wait before trying again' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is invalid, expired or revoked; sign in again' },
  HASHING_OVERLOADED: { status: 503, message: 'Too many sign-ins in progress; try again shortly' },
});
