import { CommonErrors, tenantSection, type ServiceContext } from '@plinto/kernel';
import { engineOf, mfaFromAmr } from '@plinto/authz';
import { OrgsAccessErrors, OrgsErrors } from './errors';
import { assertRoleExists, findMemberRow, findOrgRow, type OrgRow } from './store';
import { orgsTenantSettings, orgsConfig } from './config';

const READ = 'organizations:read';

/**
 * The organization `orgId` of the caller's tenant, once the caller holds `permission` in it (the
 * engine decides with the organization as domain: organization roles, team roles and tenant-wide
 * roles all count). Someone who cannot see the organization at all — not a reader of it, and no
 * tenant staff — gets the same 404 as for a missing organization (or another tenant's); those who
 * can see it but lack the permission get 403. A `requireMfa` organization also wants its members
 * to have signed in with a second factor.
 */
export async function orgFor(sc: ServiceContext, orgId: string, permission: string): Promise<OrgRow> {
  if (!sc.principal) throw CommonErrors.UNAUTHENTICATED();
  const row = await findOrgRow(sc.em, sc.tenant.id, orgId);
  if (!row) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
  const scope = { organizationId: row.id };
  if (!(await sc.authz.can(permission, scope))) {
    const visible = (await sc.authz.can(READ, scope)) || (await sc.authz.can('tenant:read'));
    throw visible ? CommonErrors.FORBIDDEN({ details: { permission, organizationId: row.id } }) : OrgsErrors.ORGANIZATION_NOT_FOUND();
  }
  await assertMfaIfRequired(sc, row);
  return row;
}

/** `requireMfa`: a member acting in the organization must have signed in with a second factor. */
async function assertMfaIfRequired(sc: ServiceContext, org: OrgRow): Promise<void> {
  const principal = sc.principal;
  if (!org.settings.requireMfa || principal?.kind !== 'user') return;
  const strong = mfaFromAmr(principal.attributes.amr) || Number(principal.attributes.aal) >= 2;
  if (!strong && (await findMemberRow(sc.em, org.id, principal.id))) throw OrgsAccessErrors.ORGANIZATION_MFA_REQUIRED();
}

/**
 * "Nobody grants what they do not hold": giving (or taking away) `role` in the organization needs
 * every permission the role carries, there. So an admin cannot make someone owner, demote an
 * owner, or put someone in a team that holds roles above their own.
 */
export async function assertCanConfer(sc: ServiceContext, organizationId: string, roles: string[], field: string): Promise<void> {
  for (const role of new Set(roles)) await sc.authz.requireCanConfer(role, { organizationId, field });
}

/** Each role of an input array exists in the organization (ROLE_NOT_FOUND names `field.<i>`). */
export async function assertRolesExist(sc: ServiceContext, organizationId: string, roles: string[], field: string): Promise<void> {
  for (const [i, role] of roles.entries()) await assertRoleExists(sc.em, engineOf(sc), sc.tenant.id, organizationId, role, `${field}.${i}`);
}

/**
 * Who may create an organization: holders of organizations:create (any owner, for anyone); and any
 * signed-in user for themselves (becoming its owner) while the tenant allows self-service —
 * its `usersCanCreateOrganizations` setting, defaulting to ORGS_USERS_CAN_CREATE.
 */
export async function assertCanCreateOrg(sc: ServiceContext, ownerId: string | undefined): Promise<void> {
  const principal = sc.principal;
  if (!principal) throw CommonErrors.UNAUTHENTICATED();
  const forSelf = principal.kind === 'user' && (ownerId === undefined || ownerId === principal.id);
  const selfService = tenantSection(sc.tenant, orgsTenantSettings).usersCanCreateOrganizations ?? orgsConfig(sc.config).ORGS_USERS_CAN_CREATE;
  if (forSelf && selfService) return;
  await sc.authz.require('organizations:create');
}
