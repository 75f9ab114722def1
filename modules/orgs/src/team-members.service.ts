import { decodeCursor, isUuid, toPage, recordEvent, uuidv7, type Actor, type EntityManager } from '@plinto/kernel';
import { stageLinks } from '@plinto/authz';
import { TeamMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { teamMemberLink } from './authz-links';
import { escapeLike } from './queries';
import { findMemberRow, inTransaction, lockOrganization } from './store';
import { loadTeam } from './teams.service';
import type { TeamMemberDto } from './schemas';

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

export async function listTeamMembers(em: EntityManager, orgId: string, teamId: string, query: { limit: number; cursor?: string; search?: string }) {
  const team = await loadTeam(em, orgId, teamId);
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

/** Puts a member of the organization in one of its teams; they then hold the team's (and its parents') roles. */
export async function addTeamMember(em: EntityManager, actor: Actor, tenantId: string, orgId: string, teamId: string, userId: string): Promise<TeamMemberDto> {
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, orgId);
    const team = await loadTeam(tx, org.id, teamId);
    if (!(await findMemberRow(tx, org.id, userId))) throw OrgsErrors.NOT_AN_ORGANIZATION_MEMBER({ fields: [{ path: 'userId', message: 'Add the user to the organization first' }] });
    if (await tx.findOne(TeamMember, { teamId: team.id, userId })) throw OrgsErrors.ALREADY_TEAM_MEMBER({ fields: [{ path: 'userId', message: 'Already in this team' }] });
    const now = new Date();
    tx.create(TeamMember, { id: uuidv7(now.getTime()), tenantId, organizationId: org.id, teamId: team.id, userId, createdAt: now });
    await tx.flush();
    await stageLinks(tx, tenantId, { add: [teamMemberLink(org.id, userId, team.id)] });
    recordEvent(tx, actor, {
      action: 'team.member.added',
      tenantId,
      organizationId: org.id,
      target: { type: 'user', id: userId },
      data: { organizationId: org.id, teamId: team.id, name: team.name, userId },
    });
    const rows: TeamMemberRaw[] = await tx.execute(`${SELECT} where t.team_id = ? and t.user_id = ?`, [team.id, userId]);
    return toDto(rows[0]!);
  });
}

export async function removeTeamMember(em: EntityManager, actor: Actor, tenantId: string, orgId: string, teamId: string, userId: string): Promise<TeamMemberDto> {
  return inTransaction(em, async (tx) => {
    const org = await lockOrganization(tx, tenantId, orgId);
    const team = await loadTeam(tx, org.id, teamId);
    const rows: TeamMemberRaw[] = isUuid(userId) ? await tx.execute(`${SELECT} where t.team_id = ? and t.user_id = ?`, [team.id, userId]) : [];
    if (!rows[0]) throw OrgsErrors.TEAM_MEMBER_NOT_FOUND();
    await tx.nativeDelete(TeamMember, { teamId: team.id, userId });
    await stageLinks(tx, tenantId, { remove: [teamMemberLink(org.id, userId, team.id)] });
    recordEvent(tx, actor, {
      action: 'team.member.removed',
      tenantId,
      organizationId: org.id,
      target: { type: 'user', id: userId },
      data: { organizationId: org.id, teamId: team.id, name: team.name, userId },
    });
    return toDto(rows[0]);
  });
}
