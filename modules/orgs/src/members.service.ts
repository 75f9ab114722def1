import { syncSessionOrganization } from '@plinto/auth';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordEvent, uuidv7, type Actor, type EntityManager } from '@plinto/kernel';
import { stageLinks } from '@plinto/authz';
import { OrganizationMember, Team, TeamMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { memberRoleLink, teamMemberLink } from './authz-links';
import { countMembers, getMember } from './queries';
import { orgSettingsSchema, type MemberDto } from './schemas';
import { OWNER_ROLE, assertRoleExists, countOwners, findMemberRow, findUser, inTransaction, lockOrganization, type OrgRow, type UserRef } from './store';

const emailDomain = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Writes a membership (and team memberships) with its authorization links and events, in `tx`.
 * The caller holds the organization's lock and has checked the user belongs to the tenant.
 */
export async function insertMember(
  tx: EntityManager,
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
  await stageLinks(tx, org.tenantId, { add: [memberRoleLink(org.id, user.id, role), ...teams.map((t) => teamMemberLink(org.id, user.id, t.id))] });
  recordEvent(tx, actor, {
    action: 'organization.member.added',
    tenantId: org.tenantId,
    organizationId: org.id,
    target: { type: 'user', id: user.id },
    data: { organizationId: org.id, userId: user.id, role, via, teamIds },
  });
  const member = await getMember(tx, org.id, user.id);
  return member!;
}

export interface AddMemberInput {
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
 * Adds an existing user of the tenant as a member with `role` (and to `teamIds` of that
 * organization), with its audit and outbox events and its authorization link, atomically. Joins
 * the caller's transaction when called inside one (which must be the outermost: the link is
 * published after that transaction commits).
 */
export async function addMember(em: EntityManager, input: AddMemberInput): Promise<MemberDto> {
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
    await assertRoleExists(tx, input.tenantId, org.id, input.role, 'role');
    return insertMember(tx, { org, user, role: input.role, teamIds: input.teamIds ?? [], via: input.via ?? 'added', actor: input.actor });
  });
}

/** Changes a member's role; the last owner cannot be demoted. */
export async function changeMemberRole(em: EntityManager, actor: Actor, tenantId: string, orgId: string, userId: string, role: string): Promise<MemberDto> {
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, orgId);
    const row = await findMemberRow(tx, org.id, userId);
    if (!row) throw OrgsErrors.MEMBER_NOT_FOUND();
    await assertRoleExists(tx, tenantId, org.id, role, 'role');
    if (row.role !== role) {
      if (row.role === OWNER_ROLE && (await countOwners(tx, org.id)) <= 1) throw OrgsErrors.LAST_OWNER({ fields: [{ path: 'role', message: 'The last owner cannot be demoted' }] });
      const previousRole = row.role;
      row.role = role;
      row.updatedAt = new Date();
      await tx.flush();
      await stageLinks(tx, tenantId, { remove: [memberRoleLink(org.id, userId, previousRole)], add: [memberRoleLink(org.id, userId, role)] });
      await syncSessionOrganization(tx, userId, org.id, role);
      recordEvent(tx, actor, {
        action: 'organization.member.role_changed',
        tenantId,
        organizationId: org.id,
        target: { type: 'user', id: userId },
        data: { organizationId: org.id, userId, role, previousRole },
      });
    }
    return (await getMember(tx, org.id, userId))!;
  });
}

/**
 * Ends a membership (removed by an admin, or `left` by the member): the member's role and team
 * links go with it. The last owner cannot leave or be removed.
 */
export async function removeMember(
  em: EntityManager,
  actor: Actor,
  tenantId: string,
  orgId: string,
  userId: string,
  how: 'removed' | 'left',
): Promise<MemberDto> {
  return inTransaction(em, async (tx) => {
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
    await stageLinks(tx, tenantId, { remove: [memberRoleLink(org.id, userId, row.role), ...teams.map((t) => teamMemberLink(org.id, userId, t.teamId))] });
    await syncSessionOrganization(tx, userId, org.id, null);
    const data = { organizationId: org.id, userId, role: row.role, teamIds: teams.map((t) => t.teamId) };
    const target = { type: 'user', id: userId };
    if (how === 'left') recordEvent(tx, actor, { action: 'organization.member.left', tenantId, organizationId: org.id, target, data });
    else recordEvent(tx, actor, { action: 'organization.member.removed', tenantId, organizationId: org.id, target, data });
    return member;
  });
}
