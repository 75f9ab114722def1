import { setActiveOrganization, syncSessionOrganization, type AccessTokenResponse } from '@plinto/auth';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordEvent, requireUser, uuidv7, type Actor, type EntityManager, type ServiceContext } from '@plinto/kernel';
import { engineOf, stageLinks, type AuthzEngine } from '@plinto/authz';
import { OrganizationMember, Team, TeamMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { memberRoleLink, teamMemberLink } from './authz-links';
import { countMembers, getMember, listMemberRows, type MemberListQuery } from './queries';
import { orgSettingsSchema, type MemberDto } from './schemas';
import { OWNER_ROLE, assertRoleExists, countOwners, findMemberRow, findOrgRow, findUser, inTransaction, lockOrganization, type OrgRow, type UserRef } from './store';
import { assertCanConfer, orgFor } from './access';
import { OrgEvents } from './events';

const emailDomain = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Writes a membership (and team memberships) with its authorization links and events, in `tx`.
 * The caller holds the organization's lock and has checked the user belongs to the tenant.
 */
export async function insertMember(
  tx: EntityManager,
  engine: AuthzEngine,
  input: { org: OrgRow; user: UserRef; role: string; teamIds: string[]; via: string; actor: Actor },
): Promise<MemberDto> {
  const { org, user, role, via, actor } = input;
  const teamIds = [...new Set(input.teamIds)];
  const teams = teamIds.length > 0 ? await tx.find(Team, { organizationId: org.id, id: { $in: teamIds } }) : [];
  teamIds.forEach((id, i) => {
    if (!teams.some((t) => t.id === id)) throw OrgsErrors.TEAM_NOT_FOUND({ fields: [{ path: `teamIds.${i}`, message: 'No such team in this organization' }] });
  });
  const now = new Date();
  tx.create(OrganizationMember, { id: uuidv7(now.getTime()), tenantId: org.tenantId, organizationId: org.id, userId: user.id, role, via, createdAt: now, updatedAt: now });
  try {
    await tx.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw OrgsErrors.ALREADY_MEMBER({ fields: [{ path: 'userId', message: 'Already a member' }] });
    throw error;
  }
  for (const team of teams) tx.create(TeamMember, { id: uuidv7(now.getTime()), tenantId: org.tenantId, organizationId: org.id, teamId: team.id, userId: user.id, createdAt: now });
  await tx.flush();
  await stageLinks(tx, engine, org.tenantId, { add: [memberRoleLink(org.id, user.id, role), ...teams.map((t) => teamMemberLink(org.id, user.id, t.id))] });
  recordEvent(tx, actor, OrgEvents.of('organization.member.added', {
    tenantId: org.tenantId,
    organizationId: org.id,
    target: { type: 'user', id: user.id },
    data: { organizationId: org.id, userId: user.id, role, via, teamIds },
  }));
  const member = await getMember(tx, org.id, user.id);
  return member!;
}

export interface AdmitMemberInput {
  tenantId: string;
  organizationId: string;
  userId: string;
  role: string;
  teamIds?: string[];
  actor: Actor;
  /** How the user joins (`added`, `invitation`, ...); recorded on the membership and its event. */
  via?: string;
}

/**
 * Makes an existing user of the tenant a member with `role` (and of `teamIds`), with its audit and
 * outbox events and its authorization link, atomically — after the organization's own rules
 * (allowed email domains, member limit, the role exists). It decides no permission: its caller
 * holds the authority already (members:write and the role, checked by `addMember`; or an
 * invitation, whose inviter was checked when it was made). Joins the caller's transaction when
 * called inside one (which must be the outermost: the link is published after it commits).
 */
export async function admitMember(em: EntityManager, engine: AuthzEngine, input: AdmitMemberInput): Promise<MemberDto> {
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, input.tenantId, input.organizationId);
    const user = await findUser(tx, input.tenantId, input.userId);
    if (!user) throw OrgsErrors.USER_NOT_FOUND({ fields: [{ path: 'userId', message: 'No such user in this tenant' }] });
    if (await findMemberRow(tx, org.id, user.id)) throw OrgsErrors.ALREADY_MEMBER({ fields: [{ path: 'userId', message: 'Already a member' }] });
    const settings = orgSettingsSchema.parse(org.settings);
    if (settings.allowedEmailDomains.length > 0 && !settings.allowedEmailDomains.includes(emailDomain(user.email))) {
      throw OrgsErrors.EMAIL_DOMAIN_NOT_ALLOWED({ fields: [{ path: 'userId', message: `Allowed domains: ${settings.allowedEmailDomains.join(', ')}` }] });
    }
    if (settings.memberLimit !== null && (await countMembers(tx, org.id)) >= settings.memberLimit) {
      throw OrgsErrors.MEMBER_LIMIT_REACHED({ details: { memberLimit: settings.memberLimit } });
    }
    await assertRoleExists(tx, engine, input.tenantId, org.id, input.role, 'role');
    return insertMember(tx, engine, { org, user, role: input.role, teamIds: input.teamIds ?? [], via: input.via ?? 'added', actor: input.actor });
  });
}

/** Needs members:write in the organization and every permission of the role given ("nobody grants what they do not hold"). */
export async function addMember(sc: ServiceContext, orgId: string, input: { userId: string; role?: string; teamIds?: string[] }): Promise<MemberDto> {
  const org = await orgFor(sc, orgId, 'members:write');
  const engine = engineOf(sc);
  const role = input.role ?? orgSettingsSchema.parse(org.settings).defaultRole;
  await assertRoleExists(sc.em, engine, sc.tenant.id, org.id, role, 'role');
  await assertCanConfer(sc, org.id, [role], 'role');
  return admitMember(sc.em, engine, { tenantId: sc.tenant.id, organizationId: org.id, userId: input.userId, role, teamIds: input.teamIds, actor: sc.actor });
}

async function memberOrThrow(em: EntityManager, orgId: string, userId: string): Promise<MemberDto> {
  const member = await getMember(em, orgId, userId);
  if (!member) throw OrgsErrors.MEMBER_NOT_FOUND();
  return member;
}

/** Needs members:read in the organization. */
export async function listMembers(sc: ServiceContext, orgId: string, query: MemberListQuery) {
  const org = await orgFor(sc, orgId, 'members:read');
  return listMemberRows(sc.em, org.id, query);
}

/** Needs members:write, and to hold both the member's current role and the new one; the last owner cannot be demoted. */
export async function changeMemberRole(sc: ServiceContext, orgId: string, userId: string, role: string): Promise<MemberDto> {
  const org = await orgFor(sc, orgId, 'members:write');
  const engine = engineOf(sc);
  const member = await memberOrThrow(sc.em, org.id, userId);
  await assertRoleExists(sc.em, engine, sc.tenant.id, org.id, role, 'role');
  await assertCanConfer(sc, org.id, [member.role, role], 'role');
  const { actor } = sc;
  const tenantId = sc.tenant.id;
  return inTransaction(sc.em, async (tx) => {
    const locked = await lockOrganization(tx, tenantId, org.id);
    const row = await findMemberRow(tx, locked.id, userId);
    if (!row) throw OrgsErrors.MEMBER_NOT_FOUND();
    if (row.role !== role) {
      if (row.role === OWNER_ROLE && (await countOwners(tx, locked.id)) <= 1) throw OrgsErrors.LAST_OWNER({ fields: [{ path: 'role', message: 'The last owner cannot be demoted' }] });
      const previousRole = row.role;
      row.role = role;
      row.updatedAt = new Date();
      await tx.flush();
      await stageLinks(tx, engine, tenantId, { remove: [memberRoleLink(locked.id, userId, previousRole)], add: [memberRoleLink(locked.id, userId, role)] });
      await syncSessionOrganization(tx, userId, locked.id, role);
      recordEvent(tx, actor, OrgEvents.of('organization.member.role_changed', {
        tenantId,
        organizationId: locked.id,
        target: { type: 'user', id: userId },
        data: { organizationId: locked.id, userId, role, previousRole },
      }));
    }
    return (await getMember(tx, locked.id, userId))!;
  });
}

/** Needs members:write and to hold the member's role; the last owner cannot be removed. */
export async function removeMember(sc: ServiceContext, orgId: string, userId: string): Promise<MemberDto> {
  const org = await orgFor(sc, orgId, 'members:write');
  const member = await memberOrThrow(sc.em, org.id, userId);
  await assertCanConfer(sc, org.id, [member.role], 'userId');
  return endMembership(sc, org.id, userId, 'removed');
}

/** Any member may leave (no permission needed), except the last owner; non-members get the same 404 as for a missing organization. */
export async function leaveOrg(sc: ServiceContext, orgId: string): Promise<MemberDto> {
  const user = requireUser(sc);
  const org = await findOrgRow(sc.em, sc.tenant.id, orgId);
  if (!org || !(await getMember(sc.em, org.id, user.id))) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
  return endMembership(sc, org.id, user.id, 'left');
}

/**
 * Makes the organization the active one of the caller's session: the answer (and every access
 * token the session's refreshes issue) carries `org_id` and the caller's `org_role`. Needs
 * organizations:read in it, and membership.
 */
export async function activateOrg(sc: ServiceContext, orgId: string): Promise<AccessTokenResponse> {
  const org = await orgFor(sc, orgId, 'organizations:read');
  const principal = sc.principal!;
  const sessionId = principal.kind === 'user' ? (principal.attributes.sessionId as string | undefined) : undefined;
  if (!sessionId) throw OrgsErrors.SESSION_REQUIRED();
  const member = await getMember(sc.em, org.id, principal.id);
  if (!member) throw OrgsErrors.MEMBER_NOT_FOUND({ message: 'Only a member can make an organization active' });
  const tokens = await setActiveOrganization(sc, { sessionId, organizationId: org.id, role: member.role });
  if (!tokens) throw OrgsErrors.SESSION_REQUIRED();
  return tokens;
}

/**
 * Ends a membership (removed by an admin, or `left` by the member): the member's role and team
 * links go with it. The last owner cannot leave or be removed.
 */
async function endMembership(sc: ServiceContext, orgId: string, userId: string, how: 'removed' | 'left'): Promise<MemberDto> {
  const { actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return inTransaction(sc.em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, orgId);
    const row = await findMemberRow(tx, org.id, userId);
    if (!row) throw OrgsErrors.MEMBER_NOT_FOUND();
    if (row.role === OWNER_ROLE && (await countOwners(tx, org.id)) <= 1) {
      throw OrgsErrors.LAST_OWNER({ message: how === 'left' ? 'The last owner cannot leave; make another member owner first' : 'The last owner cannot be removed; make another member owner first' });
    }
    const member = (await getMember(tx, org.id, userId))!;
    const teams = await tx.find(TeamMember, { organizationId: org.id, userId });
    await tx.nativeDelete(TeamMember, { organizationId: org.id, userId });
    tx.remove(row);
    await tx.flush();
    await stageLinks(tx, engine, tenantId, { remove: [memberRoleLink(org.id, userId, row.role), ...teams.map((t) => teamMemberLink(org.id, userId, t.teamId))] });
    await syncSessionOrganization(tx, userId, org.id, null);
    const data = { organizationId: org.id, userId, role: row.role, teamIds: teams.map((t) => t.teamId) };
    const target = { type: 'user', id: userId };
    recordEvent(tx, actor, OrgEvents.of(how === 'left' ? 'organization.member.left' : 'organization.member.removed', { tenantId, organizationId: org.id, target, data }));
    return member;
  });
}
