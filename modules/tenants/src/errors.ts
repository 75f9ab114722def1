import { defineErrors } from '@plinto/kernel';

export const TenantErrors = defineErrors({
  TENANT_SLUG_TAKEN: { status: 409, message: 'A tenant with this slug already exists' },
  LAST_PLATFORM_KEY: { status: 409, message: 'The last live platform key cannot be revoked: create another one first' },
  OWN_PLATFORM_KEY: { status: 409, message: 'This is the platform key you are using: revoking it ends your own session (confirm with confirmOwnKey)' },
});
