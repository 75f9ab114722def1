import { defineErrors } from '@plinto/kernel';

export const OidcErrors = defineErrors({
  APPLICATION_NOT_FOUND: { status: 404, message: 'Application not found' },
  APPLICATION_REVOKED: { status: 409, message: 'The application is revoked' },
  APPLICATION_NOT_CONFIDENTIAL: { status: 409, message: 'Only web applications have a client secret' },
  CONSENT_NOT_FOUND: { status: 404, message: 'No consent for this application' },
});
