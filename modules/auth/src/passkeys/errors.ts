import { defineErrors } from '@plinto/kernel';

export const PasskeyErrors = defineErrors({
  PASSKEY_CEREMONY_INVALID: { status: 400, message: 'The passkey ceremony is unknown, expired or already used; start again' },
  PASSKEY_REJECTED: { status: 401, message: 'The passkey could not be verified' },
  PASSKEY_REGISTRATION_FAILED: { status: 400, message: 'The passkey could not be registered' },
  PASSKEY_ALREADY_REGISTERED: { status: 409, message: 'This passkey is already registered' },
  PASSKEY_NOT_FOUND: { status: 404, message: 'Passkey not found' },
  LAST_SIGN_IN_METHOD: { status: 409, message: 'This is the last way to sign in to the account; add another first' },
});
