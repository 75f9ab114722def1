import { createHash } from 'node:crypto';

/**
 * The permission catalog: every `resource:action` a protected procedure of the platform can
 * require, and the lowest default role that holds it. Procedures declare their permission in
 * their meta (`protectedProcedure('x:y')`); the api process passes those in (`permissionsFromRouter`)
 * and they are merged with this list, so the default roles always cover every protected procedure.
 */
export const DEFAULT_ROLE_NAMES = ['viewer', 'member', 'admin', 'owner'] as const;
export type DefaultRoleName = (typeof DEFAULT_ROLE_NAMES)[number];

export interface PermissionSpec {
  permission: string;
  description: string;
  /** The lowest default role holding it; each default role inherits the one below. */
  minimumRole: DefaultRoleName;
}

const spec = (permission: string, minimumRole: DefaultRoleName, description: string): PermissionSpec => ({ permission, minimumRole, description });

/** Permissions of the platform's own API, including those of modules still being built. */
export const PLATFORM_PERMISSIONS: PermissionSpec[] = [
  spec('policies:read', 'admin', 'Read policies, roles, the permission catalog and the policy version'),
  spec('policies:write', 'admin', 'Create, change and delete policies'),
  spec('policies:evaluate', 'member', 'Ask for authorization decisions'),
  spec('policies:configure', 'owner', 'Delegate decisions to OPA, set decision-log sampling'),
  spec('roles:read', 'member', 'List roles'),
  spec('roles:write', 'admin', 'Create roles'),
  spec('roles:assign', 'admin', 'Assign and unassign roles'),
  spec('decisions:read', 'admin', 'Read the decision log'),
  spec('users:read', 'member', 'Read users'),
  spec('users:write', 'admin', 'Create, change and block users'),
  spec('users:delete', 'owner', 'Delete users'),
  spec('sessions:read', 'admin', 'List sessions'),
  spec('sessions:revoke', 'admin', 'Revoke sessions'),
  spec('organizations:read', 'viewer', 'Read organizations'),
  spec('organizations:write', 'admin', 'Create and change organizations'),
  spec('organizations:delete', 'owner', 'Delete organizations'),
  spec('members:read', 'viewer', 'Read organization members and teams'),
  spec('members:write', 'admin', 'Add, change and remove members and teams'),
  spec('invitations:read', 'member', 'Read invitations'),
  spec('invitations:write', 'member', 'Send and revoke invitations'),
  spec('audit:read', 'admin', 'Read and export the audit log'),
  spec('webhooks:read', 'admin', 'Read webhook endpoints and deliveries'),
  spec('webhooks:write', 'admin', 'Manage webhook endpoints and replay deliveries'),
  spec('api_keys:read', 'admin', 'List API keys'),
  spec('api_keys:write', 'owner', 'Create and revoke API keys'),
  spec('clients:read', 'admin', 'List machine clients'),
  spec('clients:write', 'owner', 'Create and revoke machine clients'),
  spec('signing_keys:read', 'admin', 'Read signing keys'),
  spec('signing_keys:rotate', 'owner', 'Rotate signing keys'),
  spec('tenant:read', 'viewer', 'Read the tenant'),
  spec('tenant:write', 'owner', 'Change tenant settings'),
];

const READ_ACTIONS = new Set(['read', 'list', 'get']);

interface ProcedureLike {
  _def: { meta?: { permission?: string } };
}

/** The permissions the procedures of a tRPC router declare in their meta. */
export function permissionsFromRouter(router: { _def: { procedures: object } }): string[] {
  const declared = new Set<string>();
  for (const procedure of Object.values(router._def.procedures as Record<string, ProcedureLike>)) {
    const permission = procedure?._def?.meta?.permission;
    if (permission) declared.add(permission);
  }
  return [...declared].sort();
}

/** The catalog: our list, plus any declared permission it lacks (reads → viewer, others → admin). */
export function buildPermissionCatalog(declared: string[] = []): PermissionSpec[] {
  const byName = new Map(PLATFORM_PERMISSIONS.map((p) => [p.permission, p]));
  for (const permission of declared) {
    if (byName.has(permission)) continue;
    const action = permission.slice(permission.indexOf(':') + 1);
    byName.set(permission, spec(permission, READ_ACTIONS.has(action) ? 'viewer' : 'admin', `Declared by a procedure (${permission})`));
  }
  return [...byName.values()].sort((a, b) => a.permission.localeCompare(b.permission));
}

export interface DefaultRoleDefinition {
  name: DefaultRoleName;
  description: string;
  parents: string[];
  permissions: string[];
}

const DESCRIPTIONS: Record<DefaultRoleName, string> = {
  viewer: 'Reads the tenant and its organizations',
  member: 'A regular member: viewer, plus everyday actions',
  admin: 'Administers users, organizations, roles and policies',
  owner: 'Everything, including keys and deletion',
};

/** owner ⊃ admin ⊃ member ⊃ viewer through role inheritance; each holds its own level's permissions. */
export function defaultRoles(catalog: PermissionSpec[]): DefaultRoleDefinition[] {
  return DEFAULT_ROLE_NAMES.map((name, level) => ({
    name,
    description: DESCRIPTIONS[name],
    parents: level === 0 ? [] : [DEFAULT_ROLE_NAMES[level - 1]!],
    permissions: catalog.filter((p) => p.minimumRole === name).map((p) => p.permission),
  }));
}

/** Changes when the default roles must be re-seeded (a new protected procedure appeared). */
export function catalogHash(roles: DefaultRoleDefinition[]): string {
  return createHash('sha256').update(JSON.stringify(roles)).digest('hex').slice(0, 32);
}
