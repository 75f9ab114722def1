import { defineErrors } from '@plinto/kernel';

export const AuthzErrors = defineErrors({
  OPA_URL_NOT_ALLOWED: { status: 400, message: 'The OPA URL must be http(s) on a public address, or on a host in POLICY_OPA_ALLOWED_HOSTS' },
  POLICY_NOT_FOUND: { status: 404, message: 'Policy not found' },
  ORGANIZATION_NOT_FOUND: { status: 404, message: 'Organization not found' },
  ROLE_NOT_FOUND: { status: 404, message: 'Role not found' },
  ROLE_NAME_TAKEN: { status: 409, message: 'A role with this name already exists here' },
  ROLE_ALREADY_ASSIGNED: { status: 409, message: 'The role is already assigned' },
  ASSIGNMENT_NOT_FOUND: { status: 404, message: 'The role is not assigned' },
  PERMISSION_NOT_HELD: { status: 403, message: 'You cannot grant a permission you do not hold' },
  PRINCIPAL_OUTRANKS: { status: 403, message: 'You cannot change someone who holds permissions you do not' },
  INVALID_POLICY: { status: 400, message: 'The policy is invalid' },
  MFA_ENROLLMENT_REQUIRED: { status: 403, message: 'This tenant requires a second factor: set one up (POST /v1/auth/mfa/totp) and sign in with it' },
});
