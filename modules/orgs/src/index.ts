/**
 * @plinto/orgs — organizations of a tenant's customers: settings, members with one organization
 * role each, and nested teams whose roles apply to their sub-teams. Every grant is a link in the
 * organization's authorization domain, so the authz engine decides (see authz-links.ts).
 */
import type { ModuleSchema } from '@plinto/kernel';
import { Organization, OrganizationMember, Team, TeamMember } from './entities/org.entities';
import { orgsMigrations } from './migrations';
import './config';
import './events';

export { orgsRouter } from './router';
export { OrgsErrors } from './errors';
export { orgsConfig, orgsConfigSchema, type OrgsConfig } from './config';
export { findOrganization, isMember, countMembers, getMember, listMembers } from './queries';
export { addMember, changeMemberRole, removeMember, type AddMemberInput } from './members.service';
export { createOrg, getOrg, updateOrg, deleteOrg, listOrgs } from './orgs.service';
export { createTeam, getTeam, listTeams, updateTeam, deleteTeam } from './teams.service';
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
export { Organization, OrganizationMember, Team, TeamMember };

export const orgsSchema: ModuleSchema = {
  entities: [Organization, OrganizationMember, Team, TeamMember],
  migrations: orgsMigrations,
};
