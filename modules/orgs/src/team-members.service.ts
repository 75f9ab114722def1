import { decodeCursor, isUuid, toPage, recordEvent, uuidv7, type ServiceContext } from '@plinto/kernel';
import { engineOf, stageLinks } from '@plinto/authz';
import { TeamMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { teamMemberLink } from './authz-links';
import { escapeLike } from './queries';
import { findMemberRow, inTransaction, lockOrganization } from './store';
import { effectiveTeamRoles, loadTeam } from './teams.service';
import { assertCanConfer, orgFor } from './access';
import type { TeamMemberDto } from './schemas';
import { OrgEvents } from './events';

interface TeamMemberRaw {
  id: string;
  team_id: string;
  user_id: string;
  created_at: Date;
  email: string;
  display_name: string | null;
}

const toDto = (row: TeamMemberRaw): TeamMemberDto => ({
  teamId: row.team_id,
  userId: row.user_id,
  email: row.email,
  displayName: row.display_name,
  addedAt: new Date(row.created_at).toISOString(),
});

const SELECT = 'select t.id, t.team_id, t.user_id, t.created_at, u.email, u.display_name from team_members t join users u on u.id = t.user_id';

/** Needs teams:read in the organization. */
export async function listTeamMembers(sc: ServiceContext, orgId: string, teamId: string, query: { limit: number; cursor?: string; search?: string }) {
  const { em } = sc;
  const org = await orgFor(sc, orgId, 'teams:read');
  const team = await loadTeam(em, org.id, teamId);
  const after = decodeCursor(query.cursor);
  const params: unknown[] = [team.id];
  let sql = `${SELECT} where t.team_id = ?`;
  if (after) {
    sql += ' and t.id < ?';
    params.push(after);
  }
  if (query.search) {
    const pattern = `%${escapeLike(query.search)}%`;
    sql += ' and (u.email ilike ? or u.display_name ilike ?)';
    params.push(pattern, pattern);
  }
  sql += ' order by t.id desc limit ?';
  params.push(query.limit + 1);
  const rows: TeamMemberRaw[] = await em.execute(sql, params);
  return toPage(rows, query.limit, toDto);
}

/** Joining or leaving a team gives or takes the team's roles (and its parents'): teams:write, and the caller must hold them. */
async function teamAccessFor(sc: ServiceContext, orgId: string, teamId: string): Promise<string> {
  const org = await orgFor(sc, orgId, 'teams:write');
  await loadTeam(sc.em, org.id, teamId);
  await assertCanConfer(sc, org.id, await effectiveTeamRoles(sc.em, org.id, teamId), 'teamId');
  return org.id;
}

/** Puts a member of the organization in one of its teams; they then hold the team's (and its parents') roles. */
export async function addTeamMember(sc: ServiceContext, orgId: string, teamId: string, userId: string): Promise<TeamMemberDto> {
  const checkedOrgId = await teamAccessFor(sc, orgId, teamId);
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, checkedOrgId);
    const team = await loadTeam(tx, org.id, teamId);
    if (!(await findMemberRow(tx, org.id, userId))) throw OrgsErrors.NOT_AN_ORGANIZATION_MEMBER({ fields: [{ path: 'userId', message: 'Add the user to the organization first' }] });
    if (await tx.findOne(TeamMember, { teamId: team.id, userId })) throw OrgsErrors.ALREADY_TEAM_MEMBER({ fields: [{ path: 'userId', message: 'Already in this team' }] });
    const now = new Date();
    tx.create(TeamMember, { id: uuidv7(now.getTime()), tenantId, organizationId: org.id, teamId: team.id, userId, createdAt: now });
    await tx.flush();
    await stageLinks(tx, engine, tenantId, { add: [teamMemberLink(org.id, userId, team.id)] });
    recordEvent(tx, actor, OrgEvents.of('team.member.added', {
      tenantId,
      organizationId: org.id,
      target: { type: 'user', id: userId },
      data: { organizationId: org.id, teamId: team.id, name: team.name, userId },
    }));
    const rows: TeamMemberRaw[] = await tx.execute(`${SELECT} where t.team_id = ? and t.user_id = ?`, [team.id, userId]);
    return toDto(rows[0]!);
  });
}

/** Needs teams:write and to hold the roles the member loses with the team. */
export async function removeTeamMember(sc: ServiceContext, orgId: string, teamId: string, userId: string): Promise<TeamMemberDto> {
  const checkedOrgId = await teamAccessFor(sc, orgId, teamId);
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, checkedOrgId);
    const team = await loadTeam(tx, org.id, teamId);
    const rows: TeamMemberRaw[] = isUuid(userId) ? await tx.execute(`${SELECT} where t.team_id = ? and t.user_id = ?`, [team.id, userId]) : [];
    if (!rows[0]) throw OrgsErrors.TEAM_MEMBER_NOT_FOUND();
    await tx.nativeDelete(TeamMember, { teamId: team.id, userId });
    await stageLinks(tx, engine, tenantId, { remove: [teamMemberLink(org.id, userId, team.id)] });
    recordEvent(tx, actor, OrgEvents.of('team.member.removed', {
      tenantId,
      organizationId: org.id,
      target: { type: 'user', id: userId },
      data: { organizationId: org.id, teamId: team.id, name: team.name, userId },
    }));
    return toDto(rows[0]);
  });
}
