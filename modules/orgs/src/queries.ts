import { decodeCursor, isUuid, toPage, type EntityManager } from '@plinto/kernel';
import { OrganizationMember } from './entities/org.entities';
import { findOrgRow, toOrgRef, type OrgRef } from './store';
import type { MemberDto } from './schemas';

/** Read-side lookups other modules use (through index.ts) and the list endpoints. */
export async function findOrganization(em: EntityManager, tenantId: string, orgId: string): Promise<OrgRef | null> {
  const row = await findOrgRow(em, tenantId, orgId);
  return row ? toOrgRef(row) : null;
}

export async function isMember(em: EntityManager, organizationId: string, userId: string): Promise<boolean> {
  if (!isUuid(organizationId) || !isUuid(userId)) return false;
  return (await em.count(OrganizationMember, { organizationId, userId })) > 0;
}

export async function countMembers(em: EntityManager, organizationId: string): Promise<number> {
  return isUuid(organizationId) ? em.count(OrganizationMember, { organizationId }) : 0;
}

interface MemberRaw {
  id: string;
  organization_id: string;
  user_id: string;
  role: string;
  via: string;
  created_at: Date;
  updated_at: Date;
  email: string;
  display_name: string | null;
}

const MEMBER_COLUMNS = 'm.id, m.organization_id, m.user_id, m.role, m.via, m.created_at, m.updated_at, u.email, u.display_name';

export const toMemberDto = (row: MemberRaw): MemberDto => ({
  organizationId: row.organization_id,
  userId: row.user_id,
  email: row.email,
  displayName: row.display_name,
  role: row.role,
  via: row.via,
  joinedAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export async function getMember(em: EntityManager, organizationId: string, userId: string): Promise<MemberDto | null> {
  if (!isUuid(userId)) return null;
  const rows: MemberRaw[] = await em.execute(
    `select ${MEMBER_COLUMNS} from organization_members m join users u on u.id = m.user_id where m.organization_id = ? and m.user_id = ?`,
    [organizationId, userId],
  );
  return rows[0] ? toMemberDto(rows[0]) : null;
}

export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface MemberListQuery {
  limit: number;
  cursor?: string;
  search?: string;
  role?: string;
}

/** Members newest first, keyset-paginated, optionally by role or a substring of email / display name. */
export async function listMemberRows(em: EntityManager, organizationId: string, query: MemberListQuery) {
  const after = decodeCursor(query.cursor);
  const params: unknown[] = [organizationId];
  let sql = `select ${MEMBER_COLUMNS} from organization_members m join users u on u.id = m.user_id where m.organization_id = ?`;
  if (after) {
    sql += ' and m.id < ?';
    params.push(after);
  }
  if (query.role) {
    sql += ' and m.role = ?';
    params.push(query.role);
  }
  if (query.search) {
    const pattern = `%${escapeLike(query.search)}%`;
    sql += ' and (u.email ilike ? or u.display_name ilike ?)';
    params.push(pattern, pattern);
  }
  sql += ' order by m.id desc limit ?';
  params.push(query.limit + 1);
  const rows: MemberRaw[] = await em.execute(sql, params);
  return toPage(rows, query.limit, toMemberDto);
}
