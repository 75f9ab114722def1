import type { DomainLink } from '@plinto/authz';

/**
 * How organizations reach the authorization engine: every grant is a grouping link in the
 * organization's domain (its id), so a decision asked with `organizationId` sees it and a decision
 * in any other organization or tenant-wide does not.
 *
 *   member:      user:<id>   → role:<name>   the member's organization role
 *   team member: user:<id>   → team:<id>
 *   team role:   team:<id>   → role:<name>
 *   sub-team:    team:<id>   → team:<parent>  members of a sub-team hold its parent's roles
 *
 * The engine follows links transitively (as Casbin's role manager does, up to 10 hops), which is
 * what makes a role given to a team apply to its sub-teams; MAX_TEAM_DEPTH keeps the longest chain
 * (user → 5 teams → role → 3 inherited default roles) inside that bound.
 */
export const MAX_TEAM_DEPTH = 5;

export const userSubject = (userId: string) => `user:${userId}`;
export const teamSubject = (teamId: string) => `team:${teamId}`;
export const roleSubject = (role: string) => `role:${role}`;

export const memberRoleLink = (organizationId: string, userId: string, role: string): DomainLink => ({
  child: userSubject(userId),
  parent: roleSubject(role),
  organizationId,
});

export const teamMemberLink = (organizationId: string, userId: string, teamId: string): DomainLink => ({
  child: userSubject(userId),
  parent: teamSubject(teamId),
  organizationId,
});

export const teamRoleLink = (organizationId: string, teamId: string, role: string): DomainLink => ({
  child: teamSubject(teamId),
  parent: roleSubject(role),
  organizationId,
});

export const subTeamLink = (organizationId: string, teamId: string, parentId: string): DomainLink => ({
  child: teamSubject(teamId),
  parent: teamSubject(parentId),
  organizationId,
});
