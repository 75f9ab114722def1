import { defineErrors } from '@plinto/kernel';

export const SocialErrors = defineErrors({
  CONNECTION_NOT_FOUND: { status: 404, message: 'No such sign-in connection' },
  CONNECTION_SLUG_TAKEN: { status: 409, message: 'Another connection of this tenant has this slug' },
  SOCIAL_STATE_INVALID: { status: 400, message: 'The sign-in attempt is unknown, expired, already used or was started in another browser; start again' },
  SOCIAL_PROVIDER_ERROR: { status: 400, message: 'The identity provider refused or did not complete the sign-in' },
  ID_TOKEN_INVALID: { status: 400, message: "The identity provider's ID token could not be verified" },
  PROVIDER_UNREACHABLE: { status: 502, message: 'The identity provider could not be reached' },
  SOCIAL_EMAIL_UNVERIFIED: { status: 403, message: 'The identity provider does not vouch for an email address; a new account cannot be made from it' },
  ACCOUNT_EXISTS_LINK_REQUIRED: { status: 409, message: 'An account with this email exists. Sign in to it first, then link this provider from your account page' },
  SOCIAL_SIGN_UP_DISABLED: { status: 403, message: 'New accounts cannot be made through this connection' },
  IDENTITY_LINKED_ELSEWHERE: { status: 409, message: 'This external identity is linked to another account' },
  IDENTITY_NOT_FOUND: { status: 404, message: 'No such linked identity' },
});
