/**
 * @plinto/orgs — organizations of a tenant's customers: settings, members with one organization
 * role each, and nested teams whose roles apply to their sub-teams. Every grant is a link in the
 * organization's authorization domain, so the authz engine decides (see authz-links.ts). Every
 * service takes a service context and decides its own permission (see access.ts).
 */
import { ORGANIZATION_DIRECTORY, ORGANIZATION_PROVISIONING, defineModule, isUuid, type ModuleSchema } from '@plinto/kernel';
import { Organization, OrganizationMember, Team, TeamMember } from './entities/org.entities';
import { OrganizationDomain } from './entities/org-domain.entity';
import { addDomain, joinByVerifiedDomain, listDomains, removeDomain, updateDomain, verifyDomain } from './domains.service';
import { orgsMigrations } from './migrations';
import { orgsConfigSchema, orgsTenantSettings } from './config';
import { OrgEvents } from './events';
import { orgsRouter } from './router';
import { activateOrg, addMember, changeMemberRole, leaveOrg, listMembers, removeMember } from './members.service';
import { createOrg, deleteOrg, getOrg, listOrgs, listUserOrgs, updateOrg } from './orgs.service';
import { createTeam, deleteTeam, getTeam, listTeams, teamsOfMembers, updateTeam } from './teams.service';
import { addTeamMember, listTeamMembers, removeTeamMember } from './team-members.service';
import { findOrganization } from './queries';

export { orgsRouter } from './router';
export { OrgsErrors } from './errors';
export { OrgEvents } from './events';
export { orgsConfig, orgsConfigSchema, orgsTenantSettings, type OrgsConfig } from './config';
export { findOrganization, isMember, countMembers, getMember } from './queries';
export { admitMember, addMember, changeMemberRole, removeMember, leaveOrg, activateOrg, listMembers, type AdmitMemberInput } from './members.service';
export { createOrg, getOrg, updateOrg, deleteOrg, listOrgs } from './orgs.service';
export { createTeam, getTeam, listTeams, updateTeam, deleteTeam, teamsOfMembers } from './teams.service';
export { addTeamMember, removeTeamMember, listTeamMembers } from './team-members.service';
export { MAX_TEAM_DEPTH } from './authz-links';
export type { OrgRef } from './store';
export {
  orgSettingsSchema,
  orgOutput,
  memberOutput,
  teamOutput,
  teamMemberOutput,
  type OrgSettings,
  type OrgDto,
  type MemberDto,
  type TeamDto,
  type TeamMemberDto,
} from './schemas';
export { Organization, OrganizationMember, Team, TeamMember, OrganizationDomain };
export { listDomains, addDomain, updateDomain, verifyDomain, removeDomain } from './domains.service';

export const orgsSchema: ModuleSchema = {
  entities: [Organization, OrganizationMember, Team, TeamMember, OrganizationDomain],
  migrations: orgsMigrations,
};

export const orgsModule = defineModule({
  name: 'orgs',
  routers: { orgs: orgsRouter },
  schema: orgsSchema,
  events: [OrgEvents],
  config: orgsConfigSchema,
  tenantSettings: orgsTenantSettings,
  /** Other modules ask whether an organization exists in a tenant (authz, for organization-scoped policies), and provision into one (auth). */
  start({ services }) {
    services.set(ORGANIZATION_DIRECTORY, { exists: async (em, tenantId, organizationId) => isUuid(organizationId) && (await findOrganization(em, tenantId, organizationId)) !== null });
    // Auth provisions people through identity providers; organizations with their verified domain take them in.
    services.set(ORGANIZATION_PROVISIONING, { joinByVerifiedDomain });
  },
  permissions: [{ permission: 'domains:verify', minimumRole: 'owner' as const, description: "Assert an organization's domain verified (no DNS check is made: the tenant owner confirms ownership)" }],
  services: {
    createOrg,
    listOrgs,
    listUserOrgs,
    getOrg,
    updateOrg,
    deleteOrg,
    listMembers,
    addMember,
    changeMemberRole,
    removeMember,
    leaveOrg,
    activateOrg,
    listTeams,
    teamsOfMembers,
    createTeam,
    getTeam,
    updateTeam,
    deleteTeam,
    listTeamMembers,
    addTeamMember,
    removeTeamMember,
    listDomains,
    addDomain,
    updateDomain,
    verifyDomain,
    removeDomain,
  },
});
