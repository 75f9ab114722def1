import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, isUuid, recordEvent, uuidv7, type EntityManager, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { engineOf, stageLinks, type AuthzEngine, type DomainLink } from '@plinto/authz';
import { Team, TeamMember } from './entities/org.entities';
import { OrgsErrors } from './errors';
import { MAX_TEAM_DEPTH, subTeamLink, teamMemberLink, teamRoleLink } from './authz-links';
import { assertRoleExists, inTransaction, lockOrganization } from './store';
import { assertCanConfer, assertRolesExist as assertInputRolesExist, orgFor } from './access';
import type { TeamDto } from './schemas';
import { OrgEvents } from './events';

export type TeamRow = InferEntity<typeof Team>;

export function toTeamDto(row: TeamRow, memberCount: number): TeamDto {
  return {
    id: row.id,
    organizationId: row.organizationId,
    parentId: row.parentId ?? null,
    name: row.name,
    description: row.description ?? null,
    roles: row.roles,
    memberCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const countTeamMembers = (em: EntityManager, teamId: string) => em.count(TeamMember, { teamId });

const nameTaken = () => OrgsErrors.TEAM_NAME_TAKEN({ fields: [{ path: 'name', message: 'Already used by a team with the same parent' }] });

async function withNameCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw nameTaken();
    throw error;
  }
}

/** A team of this organization (another organization's is the same 404 as a missing one). */
export async function loadTeam(em: EntityManager, organizationId: string, teamId: string): Promise<TeamRow> {
  const row = isUuid(teamId) ? await em.findOne(Team, { id: teamId, organizationId }) : null;
  if (!row) throw OrgsErrors.TEAM_NOT_FOUND();
  return row;
}

/** The organization's team tree, for cycle and depth checks (under the organization's lock). */
class TeamTree {
  private readonly byId: Map<string, TeamRow>;
  constructor(rows: TeamRow[]) {
    this.byId = new Map(rows.map((r) => [r.id, r]));
  }

  static async load(em: EntityManager, organizationId: string): Promise<TeamTree> {
    return new TeamTree(await em.find(Team, { organizationId }));
  }

  /** Levels from the top down to `id` (a top-level team is at depth 1). */
  depth(id: string): number {
    let depth = 0;
    for (let at: string | null | undefined = id; at && depth <= this.byId.size; at = this.byId.get(at)?.parentId) depth++;
    return depth;
  }

  /** Levels of the subtree under `id`, itself included (a team without sub-teams has height 1). */
  height(id: string): number {
    const children = [...this.byId.values()].filter((t) => t.parentId === id);
    return 1 + Math.max(0, ...children.map((c) => this.height(c.id)));
  }

  /** True when `candidate` is `id` or lies under it: moving `id` under it would close a cycle. */
  isSelfOrDescendant(candidate: string, id: string): boolean {
    for (let at: string | null | undefined = candidate, hops = 0; at && hops <= this.byId.size; at = this.byId.get(at)?.parentId, hops++) {
      if (at === id) return true;
    }
    return false;
  }
}

async function assertRolesExist(em: EntityManager, engine: AuthzEngine, tenantId: string, organizationId: string, roles: string[]): Promise<void> {
  for (const [i, role] of roles.entries()) await assertRoleExists(em, engine, tenantId, organizationId, role, `roles.${i}`);
}

export interface CreateTeamInput {
  name: string;
  description?: string | null;
  parentId?: string | null;
  roles?: string[];
}

/** Needs teams:write in the organization and to hold every role the team gives its members. */
export async function createTeam(sc: ServiceContext, orgId: string, input: CreateTeamInput): Promise<TeamDto> {
  const authorized = await orgFor(sc, orgId, 'teams:write');
  await assertInputRolesExist(sc, authorized.id, input.roles ?? [], 'roles');
  await assertCanConfer(sc, authorized.id, input.roles ?? [], 'roles');
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return withNameCheck(() =>
    inTransaction(em, async (tx) => {
      const org = await lockOrganization(tx, tenantId, authorized.id);
      const parentId = input.parentId ?? null;
      if (parentId) {
        const tree = await TeamTree.load(tx, org.id);
        await loadTeam(tx, org.id, parentId).catch(() => {
          throw OrgsErrors.TEAM_NOT_FOUND({ fields: [{ path: 'parentId', message: 'No such team in this organization' }] });
        });
        if (tree.depth(parentId) + 1 > MAX_TEAM_DEPTH) throw OrgsErrors.TEAM_TOO_DEEP({ fields: [{ path: 'parentId', message: `Teams nest at most ${MAX_TEAM_DEPTH} levels` }] });
      }
      const roles = [...new Set(input.roles ?? [])];
      await assertRolesExist(tx, engine, tenantId, org.id, roles);
      const now = new Date();
      const row = tx.create(Team, {
        id: uuidv7(now.getTime()),
        tenantId,
        organizationId: org.id,
        parentId,
        name: input.name,
        description: input.description ?? null,
        roles,
        createdAt: now,
        updatedAt: now,
      });
      await tx.flush();
      await stageLinks(tx, engine, tenantId, { add: [...(parentId ? [subTeamLink(org.id, row.id, parentId)] : []), ...roles.map((r) => teamRoleLink(org.id, row.id, r))] });
      recordEvent(tx, actor, OrgEvents.of('team.created', {
        tenantId,
        organizationId: org.id,
        target: { type: 'team', id: row.id },
        data: { organizationId: org.id, teamId: row.id, name: row.name, parentId, roles },
      }));
      return toTeamDto(row, 0);
    }),
  );
}

/** Needs teams:read in the organization. */
export async function getTeam(sc: ServiceContext, orgId: string, teamId: string): Promise<TeamDto> {
  const org = await orgFor(sc, orgId, 'teams:read');
  const row = await loadTeam(sc.em, org.id, teamId);
  return toTeamDto(row, await countTeamMembers(sc.em, row.id));
}

/** Needs teams:read in the organization. */
export async function listTeams(sc: ServiceContext, orgId: string, query: { limit: number; cursor?: string; parentId?: string }) {
  const { em } = sc;
  const org = await orgFor(sc, orgId, 'teams:read');
  const orgIdChecked = org.id;
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    Team,
    { organizationId: orgIdChecked, ...(after ? { id: { $lt: after } } : {}), ...(query.parentId ? { parentId: query.parentId } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  const page = rows.slice(0, query.limit);
  const counts: { team_id: string; n: string }[] = page.length
    ? await em.execute(`select team_id, count(*) as n from team_members where team_id in (${page.map(() => '?').join(', ')}) group by team_id`, page.map((r) => r.id))
    : [];
  const countOf = new Map(counts.map((c) => [c.team_id, Number(c.n)]));
  return {
    items: page.map((r) => toTeamDto(r, countOf.get(r.id) ?? 0)),
    nextCursor: rows.length > query.limit && page.length > 0 ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

/**
 * The teams each of `userIds` belongs to in the organization, in one query (GraphQL's per-request
 * loader resolves every `member.teams` of a page with it). Needs teams:read there, like listTeams.
 */
export async function teamsOfMembers(sc: ServiceContext, orgId: string, userIds: readonly string[]): Promise<Map<string, TeamDto[]>> {
  const org = await orgFor(sc, orgId, 'teams:read');
  const ids = [...new Set(userIds.filter(isUuid))];
  const byUser = new Map<string, TeamDto[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byUser;
  const rows: (Record<string, unknown> & { user_id: string; member_count: string })[] = await sc.em.execute(
    `select m.user_id, t.*, (select count(*) from team_members c where c.team_id = t.id) as member_count
       from team_members m join teams t on t.id = m.team_id
      where t.organization_id = ? and m.user_id in (${ids.map(() => '?').join(', ')})
      order by t.id desc`,
    [org.id, ...ids],
  );
  for (const raw of rows) {
    const row = sc.em.map(Team, raw) as TeamRow;
    byUser.get(raw.user_id)?.push(toTeamDto(row, Number(raw.member_count)));
  }
  return byUser;
}

export interface UpdateTeamInput {
  name?: string;
  description?: string | null;
  /** Moves the team: another team of the organization, or null for the top level. */
  parentId?: string | null;
  /** Replaces the team's roles. */
  roles?: string[];
}

/**
 * Renames, moves (refusing cycles and trees deeper than MAX_TEAM_DEPTH), re-describes or re-roles a
 * team. Needs teams:write, and to hold what members would gain or lose: changed team roles, and the
 * roles of the old and new parents when it moves.
 */
export async function updateTeam(sc: ServiceContext, orgId: string, teamId: string, patch: UpdateTeamInput): Promise<TeamDto> {
  const authorized = await orgFor(sc, orgId, 'teams:write');
  const team = await loadTeam(sc.em, authorized.id, teamId);
  await assertInputRolesExist(sc, authorized.id, patch.roles ?? [], 'roles');
  const changed = patch.roles ? [...patch.roles.filter((r) => !team.roles.includes(r)), ...team.roles.filter((r) => !patch.roles!.includes(r))] : [];
  const moving = patch.parentId !== undefined && patch.parentId !== (team.parentId ?? null);
  const viaParents = moving
    ? [...(await effectiveTeamRoles(sc.em, authorized.id, team.parentId ?? null)), ...(await effectiveTeamRoles(sc.em, authorized.id, patch.parentId ?? null))]
    : [];
  await assertCanConfer(sc, authorized.id, changed, 'roles');
  await assertCanConfer(sc, authorized.id, viaParents, 'parentId');
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return withNameCheck(() =>
    inTransaction(em, async (tx) => {
      const org = await lockOrganization(tx, tenantId, authorized.id);
      const row = await loadTeam(tx, org.id, teamId);
      const changes: string[] = [];
      const add: DomainLink[] = [];
      const remove: DomainLink[] = [];
      const data: Record<string, unknown> = {};
      if (patch.name !== undefined && patch.name !== row.name) {
        data.previousName = row.name;
        row.name = patch.name;
        changes.push('name');
      }
      if (patch.description !== undefined && patch.description !== (row.description ?? null)) {
        row.description = patch.description;
        changes.push('description');
      }
      if (patch.parentId !== undefined && patch.parentId !== (row.parentId ?? null)) {
        const parentId = patch.parentId;
        const tree = await TeamTree.load(tx, org.id);
        if (parentId) {
          await loadTeam(tx, org.id, parentId).catch(() => {
            throw OrgsErrors.TEAM_NOT_FOUND({ fields: [{ path: 'parentId', message: 'No such team in this organization' }] });
          });
          if (tree.isSelfOrDescendant(parentId, row.id)) {
            throw OrgsErrors.TEAM_CYCLE({ fields: [{ path: 'parentId', message: 'This is the team itself or one of its sub-teams' }] });
          }
          if (tree.depth(parentId) + tree.height(row.id) > MAX_TEAM_DEPTH) {
            throw OrgsErrors.TEAM_TOO_DEEP({ fields: [{ path: 'parentId', message: `The tree would be deeper than ${MAX_TEAM_DEPTH} levels` }] });
          }
          add.push(subTeamLink(org.id, row.id, parentId));
        }
        if (row.parentId) remove.push(subTeamLink(org.id, row.id, row.parentId));
        data.previousParentId = row.parentId ?? null;
        data.parentId = parentId;
        row.parentId = parentId;
        changes.push('parentId');
      }
      if (patch.roles !== undefined) {
        const roles = [...new Set(patch.roles)];
        await assertRolesExist(tx, engine, tenantId, org.id, roles);
        const added = roles.filter((r) => !row.roles.includes(r));
        const removed = row.roles.filter((r) => !roles.includes(r));
        if (added.length > 0 || removed.length > 0) {
          add.push(...added.map((r) => teamRoleLink(org.id, row.id, r)));
          remove.push(...removed.map((r) => teamRoleLink(org.id, row.id, r)));
          data.roles = roles;
          data.previousRoles = row.roles;
          row.roles = roles;
          changes.push('roles');
        }
      }
      if (changes.length > 0) {
        row.updatedAt = new Date();
        await tx.flush();
        await stageLinks(tx, engine, tenantId, { add, remove });
        recordEvent(tx, actor, OrgEvents.of('team.updated', {
          tenantId,
          organizationId: org.id,
          target: { type: 'team', id: row.id },
          data: { organizationId: org.id, teamId: row.id, name: row.name, changes, ...data },
        }));
      }
      return toTeamDto(row, await countTeamMembers(tx, row.id));
    }),
  );
}

/**
 * Deletes a team: its members leave it, and its sub-teams move up to its parent. Needs teams:write
 * and to hold the roles its members lose.
 */
export async function deleteTeam(sc: ServiceContext, orgId: string, teamId: string): Promise<TeamDto> {
  const authorized = await orgFor(sc, orgId, 'teams:write');
  await loadTeam(sc.em, authorized.id, teamId);
  await assertCanConfer(sc, authorized.id, await effectiveTeamRoles(sc.em, authorized.id, teamId), 'teamId');
  const { em, actor } = sc;
  const engine = engineOf(sc);
  const tenantId = sc.tenant.id;
  return withNameCheck(() =>
    inTransaction(em, async (tx) => {
      const org = await lockOrganization(tx, tenantId, authorized.id);
      const row = await loadTeam(tx, org.id, teamId);
      const members = await tx.find(TeamMember, { teamId: row.id });
      const children = await tx.find(Team, { parentId: row.id });
      const parentId = row.parentId ?? null;
      const remove: DomainLink[] = [
        ...members.map((m) => teamMemberLink(org.id, m.userId, row.id)),
        ...row.roles.map((r) => teamRoleLink(org.id, row.id, r)),
        ...(parentId ? [subTeamLink(org.id, row.id, parentId)] : []),
        ...children.map((c) => subTeamLink(org.id, c.id, row.id)),
      ];
      const add = parentId ? children.map((c) => subTeamLink(org.id, c.id, parentId)) : [];
      for (const child of children) child.parentId = parentId;
      await tx.flush();
      const dto = toTeamDto(row, members.length);
      tx.remove(row);
      await tx.flush();
      await stageLinks(tx, engine, tenantId, { add, remove });
      recordEvent(tx, actor, OrgEvents.of('team.deleted', {
        tenantId,
        organizationId: org.id,
        target: { type: 'team', id: row.id },
        data: { organizationId: org.id, teamId: row.id, name: row.name, movedTeamIds: children.map((c) => c.id) },
      }));
      return dto;
    }),
  );
}

/** The roles a member of `teamId` holds through it: its own and every ancestor's. */
export async function effectiveTeamRoles(em: EntityManager, organizationId: string, teamId: string | null): Promise<string[]> {
  if (!teamId) return [];
  const tree = new Map((await em.find(Team, { organizationId })).map((t) => [t.id, t]));
  const roles = new Set<string>();
  for (let at = tree.get(teamId), hops = 0; at && hops <= tree.size; at = at.parentId ? tree.get(at.parentId) : undefined, hops++) at.roles.forEach((r) => roles.add(r));
  return [...roles];
}
