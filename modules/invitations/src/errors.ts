import { defineErrors } from '@plinto/kernel';

export const InvitationErrors = defineErrors({
  INVITATION_NOT_FOUND: { status: 404, message: 'Invitation not found' },
  INVITATION_ORGANIZATION_NOT_FOUND: { status: 404, message: 'Organization not found' },
  /** One answer for an unknown, used, revoked or expired token: the token holder learns nothing more. */
  INVITATION_INVALID: { status: 404, message: 'This invitation is invalid or has expired' },
  INVITATION_ALREADY_PENDING: { status: 409, message: 'This email already has a pending invitation to this organization' },
  INVITATION_ALREADY_MEMBER: { status: 409, message: 'This email already belongs to a member of the organization' },
  INVITATION_NOT_PENDING: { status: 409, message: 'Only a pending invitation can be changed, resent or revoked' },
  INVITATION_MEMBER_LIMIT: { status: 409, message: "The organization's member limit (members + pending invitations) would be exceeded" },
  INVITATION_EMAIL_DOMAIN_NOT_ALLOWED: { status: 400, message: "The organization only admits email addresses of its allowed domains" },
  INVITATION_SIGN_IN_REQUIRED: { status: 401, message: 'An account with this email exists: sign in as it, then accept the invitation' },
  INVITATION_EMAIL_MISMATCH: { status: 403, message: 'This invitation is for another email address than the signed-in account' },
  INVITATION_PASSWORD_REQUIRED: { status: 400, message: 'A password is needed to create the account that accepts this invitation' },
  INVITATION_BULK_TOO_LARGE: { status: 400, message: 'Too many invitations in one call' },
});
