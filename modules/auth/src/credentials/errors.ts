import { defineErrors } from '@plinto/kernel';

export const CredentialErrors = defineErrors({
  API_KEY_NOT_FOUND: { status: 404, message: 'API key not found' },
  MACHINE_CLIENT_NOT_FOUND: { status: 404, message: 'Machine client not found' },
  CREDENTIAL_ORGANIZATION_NOT_FOUND: { status: 404, message: 'No such organization in this tenant' },
});
