import { defineErrors } from '@plinto/kernel';

/**
 * Codes shared with other modules keep their status there (ROLE_NOT_FOUND and PERMISSION_NOT_HELD
 * as in authz, USER_NOT_FOUND as in auth): one code, one HTTP status, everywhere.
 */
export const OrgsErrors = defineErrors({
  ORGANIZATION_NOT_FOUND: { status: 404, message: 'Organization not found' },
  ORGANIZATION_SLUG_TAKEN: { status: 409, message: 'An organization with this slug already exists in this tenant' },
  MEMBER_NOT_FOUND: { status: 404, message: 'This user is not a member of the organization' },
  SESSION_REQUIRED: { status: 403, message: 'This needs a signed-in user session' },
  ALREADY_MEMBER: { status: 409, message: 'This user is already a member of the organization' },
  MEMBER_LIMIT_REACHED: { status: 409, message: "The organization's member limit is reached" },
  LAST_OWNER: { status: 409, message: "The organization's last owner cannot leave, be demoted or be removed; make another member owner first" },
  EMAIL_DOMAIN_NOT_ALLOWED: { status: 422, message: "The user's email domain is not one the organization allows" },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  ROLE_NOT_FOUND: { status: 404, message: 'Role not found' },
  PERMISSION_NOT_HELD: { status: 403, message: 'You cannot grant a permission you do not hold' },
  TEAM_NOT_FOUND: { status: 404, message: 'Team not found' },
  TEAM_NAME_TAKEN: { status: 409, message: 'A team with this name already exists under the same parent' },
  TEAM_CYCLE: { status: 409, message: 'A team cannot be moved under itself or one of its sub-teams' },
  TEAM_TOO_DEEP: { status: 400, message: 'Teams nest at most 5 levels deep' },
  TEAM_MEMBER_NOT_FOUND: { status: 404, message: 'This user is not a member of the team' },
  DOMAIN_NOT_FOUND: { status: 404, message: 'No such domain of the organization' },
  DOMAIN_TAKEN: { status: 409, message: 'The organization already claims this domain, or another organization of the tenant verified it' },
  ALREADY_TEAM_MEMBER: { status: 409, message: 'This user is already a member of the team' },
  NOT_AN_ORGANIZATION_MEMBER: { status: 409, message: 'Only members of the organization can join its teams' },
});

export const OrgsAccessErrors = defineErrors({
  ORGANIZATION_MFA_REQUIRED: { status: 403, message: 'This organization requires members to sign in with a second factor' },
});
