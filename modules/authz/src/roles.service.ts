import { CommonErrors, decodeCursor, isUuid, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AuthzRole, AuthzRoleAssignment } from './entities/authz.entities';
import { AuthzErrors } from './errors';
import { actorOf, assertCanGrant, callerOf, commitChange, type AuthzCaller } from './changes';
import { assignmentLine, roleLines } from './engine/lines';
import { DEFAULT_ROLE_NAMES } from './catalog';
import { engineOf, type AuthzEngine } from './engine/engine';
import type { AssignmentDto, CreateRoleInput, RoleDto } from './schemas';
import { AuthzEvents } from './events';

type RoleRow = InferEntity<typeof AuthzRole>;
type AssignmentRow = InferEntity<typeof AuthzRoleAssignment>;

/** Deeper chains would exceed what Casbin's role manager follows (10 links, user link included). */
const MAX_ROLE_DEPTH = 8;

export function toRoleDto(row: RoleRow): RoleDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    permissions: row.permissions,
    parents: row.parents,
    organizationId: row.organizationId ?? null,
    builtin: row.builtin,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const toAssignmentDto = (row: AssignmentRow, role: RoleRow): AssignmentDto => ({
  id: row.id,
  roleId: role.id,
  role: role.name,
  userId: row.subject.slice('user:'.length),
  organizationId: row.organizationId ?? null,
  createdAt: row.createdAt.toISOString(),
});

/** The roles visible in a scope: tenant-wide ones, plus the organization's own. */
async function rolesInScope(em: EntityManager, tenantId: string, organizationId: string | null): Promise<RoleRow[]> {
  return em.find(AuthzRole, { tenantId, $or: [{ organizationId: null }, ...(organizationId ? [{ organizationId }] : [])] });
}

/** A role's permissions with everything it inherits, and its inheritance depth. */
function closure(start: string[], byName: Map<string, RoleRow[]>): { permissions: Set<string>; depth: number } {
  const permissions = new Set<string>();
  const seen = new Set<string>();
  let frontier = start;
  let depth = 0;
  while (frontier.length > 0) {
    depth++;
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      for (const role of byName.get(name) ?? []) {
        role.permissions.forEach((p) => permissions.add(p));
        next.push(...role.parents);
      }
    }
    frontier = next;
  }
  return { permissions, depth };
}

function indexByName(roles: RoleRow[]): Map<string, RoleRow[]> {
  const byName = new Map<string, RoleRow[]>();
  for (const role of roles) byName.set(role.name, [...(byName.get(role.name) ?? []), role]);
  return byName;
}

/** Needs roles:write (in the role's organization, for an organization's role) and every permission the role carries. */
export async function createRole(sc: ServiceContext, input: CreateRoleInput): Promise<RoleDto> {
  await sc.authz.require('roles:write', { organizationId: input.organizationId });
  const em = sc.em;
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  const organizationId = input.organizationId ?? null;
  if ((DEFAULT_ROLE_NAMES as readonly string[]).includes(input.name)) {
    throw AuthzErrors.ROLE_NAME_TAKEN({ fields: [{ path: 'name', message: 'Reserved for a default role' }] });
  }
  const visible = await rolesInScope(em, tenantId, organizationId);
  const byName = indexByName(visible);
  // `role:<name>` in a domain means every role of that name visible there, so a tenant-wide role and
  // an organization's role may not share a name (two organizations' roles may).
  const clash = organizationId ? byName.has(input.name) : (await em.count(AuthzRole, { tenantId, name: input.name })) > 0;
  if (clash) throw AuthzErrors.ROLE_NAME_TAKEN({ fields: [{ path: 'name', message: 'Already taken in this scope' }] });
  input.parents.forEach((parent, i) => {
    if (!byName.has(parent)) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: `parents.${i}`, message: `No role ${parent} in this scope` }] });
  });
  // Parents must exist before the child and roles never change parents, so no cycle can form.
  const inherited = closure(input.parents, byName);
  if (inherited.depth + 1 > MAX_ROLE_DEPTH) {
    throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'parents', message: `Role inheritance is limited to ${MAX_ROLE_DEPTH} levels` }] });
  }
  const granted = new Set([...input.permissions, ...inherited.permissions]);
  await assertCanGrant(engine, caller, [...granted].map((action) => ({ action, resource: '*' })), organizationId, 'permissions');
  try {
    return await commitChange(em, engine, tenantId, async ({ tx, version, adapter }) => {
      const now = new Date();
      const row = tx.create(AuthzRole, {
        id: uuidv7(now.getTime()),
        tenantId,
        name: input.name,
        description: input.description ?? null,
        permissions: [...new Set(input.permissions)],
        parents: [...new Set(input.parents)],
        organizationId,
        builtin: false,
        createdAt: now,
        updatedAt: now,
      });
      await tx.flush();
      const lines = roleLines(row);
      await adapter.addPolicies('p', 'p', lines.policy);
      await adapter.addPolicies('g', 'g', lines.grouping);
      recordEvent(tx, actorOf(caller), AuthzEvents.of('role.created', {
        tenantId,
        organizationId,
        target: { type: 'role', id: row.id },
        data: { role: toRoleDto(row), policyVersion: version },
      }));
      return toRoleDto(row);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw AuthzErrors.ROLE_NAME_TAKEN({ fields: [{ path: 'name', message: 'Already taken in this scope' }] });
    }
    throw error;
  }
}

/** Needs roles:read tenant-wide, or in the organization whose roles are asked for. */
export async function listRoles(sc: ServiceContext, query: { limit: number; cursor?: string; organizationId?: string }) {
  await sc.authz.require('roles:read', { organizationId: query.organizationId });
  const em = sc.em;
  const tenantId = sc.tenant.id;
  await engineOf(sc).snapshot(tenantId); // seeds the default roles on first use
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
    AuthzRole,
    {
      tenantId,
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.organizationId ? { $or: [{ organizationId: null }, { organizationId: query.organizationId }] } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toRoleDto);
}

async function loadRole(em: EntityManager, engine: AuthzEngine, tenantId: string, id: string): Promise<RoleRow> {
  await engine.snapshot(tenantId);
  const row = isUuid(id) ? await em.findOne(AuthzRole, { id, tenantId }) : null;
  if (!row) throw AuthzErrors.ROLE_NOT_FOUND();
  return row;
}

/** Assigning or removing a role needs every permission the role carries, inherited ones included. */
async function assertCanHandOut(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, role: RoleRow, organizationId: string | null): Promise<void> {
  const byName = indexByName(await rolesInScope(em, caller.tenant.id, organizationId ?? role.organizationId ?? null));
  const { permissions } = closure([role.name], byName);
  await assertCanGrant(engine, caller, [...permissions].map((action) => ({ action, resource: '*' })), organizationId, 'id');
}

/**
 * Before a credential (API key, machine client) is given `roleName` in a scope (an organization,
 * or tenant-wide when null): the role must be visible there, and the caller must hold everything
 * it carries, inherited permissions included, in that scope — the same rule as assigning it.
 */
export async function assertCanConferRole(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, roleName: string, organizationId: string | null, field: string): Promise<void> {
  await engine.snapshot(caller.tenant.id); // seeds the default roles on first use
  const byName = indexByName(await rolesInScope(em, caller.tenant.id, organizationId));
  if (!byName.has(roleName)) throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: field, message: `No role ${roleName} in this scope` }] });
  const { permissions } = closure([roleName], byName);
  await assertCanGrant(engine, caller, [...permissions].map((action) => ({ action, resource: '*' })), organizationId, field);
}

function scopeOf(role: RoleRow, organizationId: string | undefined): string | null {
  if (role.organizationId && organizationId && organizationId !== role.organizationId) {
    throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'organizationId', message: 'This role belongs to another organization' }] });
  }
  return organizationId ?? role.organizationId ?? null;
}

/**
 * What assigning and unassigning share: roles:assign in the scope, the role, the caller's right to
 * hand it out (every permission it carries), and the principal hierarchy (nobody changes the roles
 * of someone holding permissions they do not).
 */
async function prepareAssignment(sc: ServiceContext, input: { id: string; userId: string; organizationId?: string }) {
  await sc.authz.require('roles:assign', { organizationId: input.organizationId });
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  const role = await loadRole(sc.em, engine, tenantId, input.id);
  const organizationId = scopeOf(role, input.organizationId);
  if (organizationId !== (input.organizationId ?? null)) await sc.authz.require('roles:assign', { organizationId });
  await assertCanHandOut(sc.em, engine, caller, role, organizationId);
  await sc.authz.requireOutranks({ kind: 'user', id: input.userId }, { organizationId, field: 'userId' });
  return { engine, caller, tenantId, role, organizationId, subject: `user:${input.userId}` };
}

export async function assignRole(sc: ServiceContext, input: { id: string; userId: string; organizationId?: string }): Promise<AssignmentDto> {
  const { engine, caller, tenantId, role, organizationId, subject } = await prepareAssignment(sc, input);
  try {
    return await commitChange(sc.em, engine, tenantId, async ({ tx, version, adapter }) => {
      const row = tx.create(AuthzRoleAssignment, { id: uuidv7(), tenantId, roleId: role.id, subject, organizationId, createdAt: new Date() });
      await tx.flush();
      await adapter.addPolicy('g', 'g', assignmentLine(subject, role.name, organizationId));
      recordEvent(tx, actorOf(caller), AuthzEvents.of('role.assigned', {
        tenantId,
        organizationId,
        target: { type: 'user', id: input.userId },
        data: { roleId: role.id, role: role.name, userId: input.userId, policyVersion: version },
      }));
      return toAssignmentDto(row, role);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw AuthzErrors.ROLE_ALREADY_ASSIGNED({ fields: [{ path: 'userId', message: 'Already assigned' }] });
    throw error;
  }
}

export async function unassignRole(sc: ServiceContext, input: { id: string; userId: string; organizationId?: string }): Promise<AssignmentDto> {
  const { engine, caller, tenantId, role, organizationId, subject } = await prepareAssignment(sc, input);
  return commitChange(sc.em, engine, tenantId, async ({ tx, version, adapter }) => {
    const row = await tx.findOne(AuthzRoleAssignment, { tenantId, roleId: role.id, subject, organizationId });
    if (!row) throw AuthzErrors.ASSIGNMENT_NOT_FOUND();
    const [child, parent, domain] = assignmentLine(subject, role.name, organizationId);
    await adapter.removeFilteredPolicy('g', 'g', 0, child, parent, domain);
    recordEvent(tx, actorOf(caller), AuthzEvents.of('role.unassigned', {
      tenantId,
      organizationId,
      target: { type: 'user', id: input.userId },
      data: { roleId: role.id, role: role.name, userId: input.userId, policyVersion: version },
    }));
    const dto = toAssignmentDto(row, role);
    tx.remove(row);
    return dto;
  });
}
