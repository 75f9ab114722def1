import { clearSessionsOrganization } from '@plinto/auth';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { CommonErrors, decodeCursor, encodeCursor, recordEvent, uuidv7, type ServiceContext } from '@plinto/kernel';
import { engineOf, stageLinks } from '@plinto/authz';
import { Organization } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { insertMember } from './members.service';
import { ORG_SLUG, orgSettingsSchema, type OrgDto, type OrgListItemDto, type OrgSettings } from './schemas';
import { OWNER_ROLE, assertRoleExists, findUser, inTransaction, lockOrganization, type OrgRow } from './store';
import { assertCanCreateOrg, orgFor } from './access';
import { countMembers, escapeLike } from './queries';
import { OrgEvents } from './events';

export function toOrgDto(row: OrgRow, memberCount: number): OrgDto {
  return {
    id: row.id,
    tenantId: row.tenantId,
    slug: row.slug,
    name: row.name,
    settings: orgSettingsSchema.parse(row.settings),
    memberCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `Acme Inc.` → `acme-inc`; the caller may always pass its own slug instead. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug;
}

const slugTaken = () => OrgsErrors.ORGANIZATION_SLUG_TAKEN({ fields: [{ path: 'slug', message: 'Already taken in this tenant' }] });

export interface CreateOrgInput {
  name: string;
  slug?: string;
  settings?: Partial<OrgSettings>;
  /** Who becomes owner (default: the calling user); API keys and operators may create one without members. */
  ownerId?: string;
}

/**
 * Creates an organization; its owner (by default the calling user) becomes its first member. See
 * `assertCanCreateOrg` for who may. An API key or operator names the owner, or none.
 */
export async function createOrg(sc: ServiceContext, input: CreateOrgInput): Promise<OrgDto> {
  await assertCanCreateOrg(sc, input.ownerId);
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  const ownerId = input.ownerId ?? (sc.principal?.kind === 'user' ? sc.principal.id : null);
  const slug = input.slug ?? slugify(input.name);
  if (!ORG_SLUG.test(slug)) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'slug', message: 'Give a slug: the name has no letters or digits to derive one from' }] });
  const settings = orgSettingsSchema.parse(input.settings ?? {});
  try {
    return await em.transactional(async (tx) => {
      const now = new Date();
      const row = tx.create(Organization, { id: uuidv7(now.getTime()), tenantId, slug, name: input.name, settings, createdAt: now, updatedAt: now });
      await tx.flush();
      // No organization roles exist yet: the default role must be a tenant-wide one.
      await assertRoleExists(tx, engine, tenantId, row.id, settings.defaultRole, 'settings.defaultRole');
      recordEvent(tx, actor, OrgEvents.of('organization.created', {
        tenantId,
        organizationId: row.id,
        target: { type: 'organization', id: row.id },
        data: { organizationId: row.id, slug, name: row.name, ownerId },
      }));
      if (ownerId) {
        const owner = await findUser(tx, tenantId, ownerId);
        if (!owner) throw OrgsErrors.USER_NOT_FOUND({ fields: [{ path: 'ownerId', message: 'No such user in this tenant' }] });
        await insertMember(tx, engine, { org: row, user: owner, role: OWNER_ROLE, teamIds: [], via: 'created', actor });
      }
      return toOrgDto(row, ownerId ? 1 : 0);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw slugTaken();
    throw error;
  }
}

/** Needs organizations:read in it. */
export async function getOrg(sc: ServiceContext, orgId: string): Promise<OrgDto> {
  const row = await orgFor(sc, orgId, 'organizations:read');
  return toOrgDto(row, await countMembers(sc.em, row.id));
}

export interface UpdateOrgInput {
  name?: string;
  slug?: string;
  settings?: Partial<OrgSettings>;
}

/** Needs organizations:write in it. */
export async function updateOrg(sc: ServiceContext, orgId: string, patch: UpdateOrgInput): Promise<OrgDto> {
  await orgFor(sc, orgId, 'organizations:write');
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  try {
    return await em.transactional(async (tx) => {
      const row = await lockOrganization(tx, tenantId, orgId);
      const changes: string[] = [];
      if (patch.name !== undefined && patch.name !== row.name) {
        row.name = patch.name;
        changes.push('name');
      }
      if (patch.slug !== undefined && patch.slug !== row.slug) {
        row.slug = patch.slug;
        changes.push('slug');
      }
      const members = await countMembers(tx, row.id);
      if (patch.settings) {
        const current = orgSettingsSchema.parse(row.settings);
        const next = { ...current };
        for (const [key, value] of Object.entries(patch.settings) as [keyof OrgSettings, never][]) {
          if (value === undefined || JSON.stringify(current[key]) === JSON.stringify(value)) continue;
          next[key] = value;
          changes.push(`settings.${key}`);
        }
        if (changes.includes('settings.defaultRole')) await assertRoleExists(tx, engine, tenantId, row.id, next.defaultRole, 'settings.defaultRole');
        if (changes.includes('settings.memberLimit') && next.memberLimit !== null && next.memberLimit < members) {
          throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'settings.memberLimit', message: `The organization already has ${members} members` }] });
        }
        row.settings = next;
      }
      if (changes.length > 0) {
        row.updatedAt = new Date();
        recordEvent(tx, actor, OrgEvents.of('organization.updated', {
          tenantId,
          organizationId: row.id,
          target: { type: 'organization', id: row.id },
          data: { organizationId: row.id, slug: row.slug, name: row.name, changes },
        }));
      }
      await tx.flush();
      return toOrgDto(row, members);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw slugTaken();
    throw error;
  }
}

/** Deletes the organization, its memberships and teams, and every link in its authorization domain. */
export async function deleteOrg(sc: ServiceContext, orgId: string): Promise<{ id: string; deleted: true }> {
  await orgFor(sc, orgId, 'organizations:delete');
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return inTransaction(em, async (tx) => {
    const row = await lockOrganization(tx, tenantId, orgId);
    recordEvent(tx, actor, OrgEvents.of('organization.deleted', {
      tenantId,
      organizationId: row.id,
      target: { type: 'organization', id: row.id },
      data: { organizationId: row.id, slug: row.slug, name: row.name },
    }));
    // Teams reference their parents; clear those first so the cascade can take them in any order.
    await tx.execute('update teams set parent_id = null where organization_id = ?', [row.id]);
    await tx.execute('delete from organizations where id = ?', [row.id]);
    await stageLinks(tx, engine, tenantId, { removeDomains: [row.id] });
    await clearSessionsOrganization(tx, row.id);
    return { id: row.id, deleted: true as const };
  });
}



/**
 * Organizations newest first: every organization of the tenant for holders of organizations:read
 * tenant-wide (unless they ask for their own only), else those the calling user is a member of.
 * Each item carries the calling user's role in it (null when not a member).
 */
export async function listOrgs(sc: ServiceContext, input: { limit: number; cursor?: string; search?: string; mine?: boolean }): Promise<{ items: OrgListItemDto[]; nextCursor: string | null }> {
  if (!sc.principal) throw CommonErrors.UNAUTHENTICATED();
  const userId = sc.principal.kind === 'user' ? sc.principal.id : null;
  const all = !input.mine && (await sc.authz.can('organizations:read'));
  if (!all && !userId) throw CommonErrors.FORBIDDEN({ details: { permission: 'organizations:read' } });
  return queryOrgs(sc, { ...input, all, userId });
}

/**
 * The organizations one user of the tenant belongs to, with their role in each (the console's user
 * page); needs organizations:read tenant-wide. A user of another tenant is the same 404 as none.
 */
export async function listUserOrgs(sc: ServiceContext, userId: string, input: { limit: number; cursor?: string }): Promise<{ items: OrgListItemDto[]; nextCursor: string | null }> {
  await sc.authz.require('organizations:read');
  if (!(await findUser(sc.em, sc.tenant.id, userId))) throw OrgsErrors.USER_NOT_FOUND({ fields: [{ path: 'userId', message: 'No such user in this tenant' }] });
  return queryOrgs(sc, { ...input, all: false, userId });
}

async function queryOrgs(
  sc: ServiceContext,
  query: { all: boolean; userId: string | null; limit: number; cursor?: string; search?: string },
): Promise<{ items: OrgListItemDto[]; nextCursor: string | null }> {
  const { em } = sc;
  const tenantId = sc.tenant.id;
  const after = decodeCursor(query.cursor);
  const params: unknown[] = [query.userId, tenantId];
  let sql = `select o.*, m.role as member_role from organizations o
    ${query.all ? 'left join' : 'join'} organization_members m on m.organization_id = o.id and m.user_id = ?
    where o.tenant_id = ?`;
  if (after) {
    sql += ' and o.id < ?';
    params.push(after);
  }
  if (query.search) {
    sql += ` and (o.name ilike ? or o.slug like ?)`;
    const pattern = `%${escapeLike(query.search)}%`;
    params.push(pattern, pattern.toLowerCase());
  }
  sql += ' order by o.id desc limit ?';
  params.push(query.limit + 1);
  const rows: (Record<string, unknown> & { id: string; member_role: string | null })[] = await em.execute(sql, params);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((raw) => {
      const row = em.map(Organization, raw);
      return {
        id: row.id,
        tenantId: row.tenantId,
        slug: row.slug,
        name: row.name,
        settings: orgSettingsSchema.parse(row.settings),
        role: raw.member_role,
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      };
    }),
    nextCursor: rows.length > query.limit && page.length > 0 ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}
