import { defineErrors } from '@plinto/kernel';

export const TenantErrors = defineErrors({
  TENANT_SLUG_TAKEN: { status: 409, message: 'A tenant with this slug already exists' },
});
