import { LockMode } from '@mikro-orm/core';
import { isUuid, type EntityManager, type InferEntity } from '@plinto/kernel';
import { findRoleInScope, type AuthzEngine } from '@plinto/authz';
import { Organization, OrganizationMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import type { OrgSettings } from './schemas';

/** Row access shared by the services: lookups scoped by tenant and organization, locks, users. */
export type OrgRow = InferEntity<typeof Organization>;
export type MemberRow = InferEntity<typeof OrganizationMember>;

export interface OrgRef {
  id: string;
  tenantId: string;
  slug: string;
  name: string;
  settings: OrgSettings;
}

export const toOrgRef = (row: OrgRow): OrgRef => ({ id: row.id, tenantId: row.tenantId, slug: row.slug, name: row.name, settings: row.settings });

/**
 * Runs `work` in the caller's transaction when there is one (so it commits or rolls back with the
 * caller's own writes), else in a new one.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (em.isInTransaction()) {
    const result = await work(em);
    await em.flush();
    return result;
  }
  return em.transactional(work);
}

/** An organization of this tenant; another tenant's is the same null as a missing one. */
export async function findOrgRow(em: EntityManager, tenantId: string, orgId: string): Promise<OrgRow | null> {
  return isUuid(orgId) ? em.findOne(Organization, { id: orgId, tenantId }) : null;
}

/**
 * Loads the organization and locks its row for the rest of the transaction. Every change to an
 * organization's members or teams takes this lock first, so member-limit checks, last-owner checks
 * and team-cycle checks see a state nobody changes under them.
 */
export async function lockOrganization(em: EntityManager, tenantId: string, orgId: string): Promise<OrgRow> {
  const row = isUuid(orgId) ? await em.findOne(Organization, { id: orgId, tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
  if (!row) throw OrgsErrors.ORGANIZATION_NOT_FOUND();
  return row;
}

export async function findMemberRow(em: EntityManager, organizationId: string, userId: string): Promise<MemberRow | null> {
  return isUuid(userId) ? em.findOne(OrganizationMember, { organizationId, userId }) : null;
}

export interface UserRef {
  id: string;
  email: string;
  displayName: string | null;
}

/** A user of this tenant (the users table belongs to the auth module; only these columns are read). */
export async function findUser(em: EntityManager, tenantId: string, userId: string): Promise<UserRef | null> {
  if (!isUuid(userId)) return null;
  const rows: { id: string; email: string; display_name: string | null }[] = await em.execute('select id, email, display_name from users where id = ? and tenant_id = ?', [userId, tenantId]);
  const row = rows[0];
  return row ? { id: row.id, email: row.email, displayName: row.display_name } : null;
}

/** The role must be visible in the organization: tenant-wide, or the organization's own. */
export async function assertRoleExists(em: EntityManager, engine: AuthzEngine, tenantId: string, organizationId: string, role: string, field: string): Promise<void> {
  if (!(await findRoleInScope(em, engine, tenantId, organizationId, role))) {
    throw OrgsErrors.ROLE_NOT_FOUND({ message: `No role ${role} in this organization`, fields: [{ path: field, message: `No role ${role} in this organization` }] });
  }
}

export const OWNER_ROLE = 'owner';

export async function countOwners(em: EntityManager, organizationId: string): Promise<number> {
  return em.count(OrganizationMember, { organizationId, role: OWNER_ROLE });
}
