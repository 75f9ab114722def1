import { createHash } from 'node:crypto';

/**
 * The permission catalog: every `resource:action` a service of the platform can require, and the
 * lowest default role that holds it. Procedures declare their service's permission in their meta
 * (`permission: 'x:y'`); the authz module gathers those from every module's routers
 * (`permissionsFromRouter`) and merges them with this list, so the default roles always cover
 * every protected procedure.
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
  spec('app_permissions:manage', 'owner', "Grant and deny the application's own permissions (anything outside this catalog) in roles and policies"),
  spec('roles:read', 'member', 'List roles'),
  spec('roles:write', 'admin', 'Create roles'),
  spec('roles:assign', 'admin', 'Assign and unassign roles'),
  spec('decisions:read', 'admin', 'Read the decision log'),
  spec('users:read', 'member', 'Read users'),
  spec('users:write', 'admin', 'Create, change and block users'),
  spec('users:delete', 'owner', 'Delete users'),
  spec('users:provision', 'owner', 'Provision users server-side: vouch for an email address (emailVerified), receive invitation links'),
  spec('sessions:read', 'admin', 'List sessions'),
  spec('sessions:revoke', 'admin', 'Revoke sessions'),
  spec('organizations:read', 'viewer', 'Read organizations'),
  spec('organizations:create', 'admin', 'Create organizations for anyone (users create their own when the tenant allows it)'),
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
  spec('applications:read', 'admin', 'Read OpenID Connect applications'),
  spec('applications:write', 'owner', 'Register, change and revoke OpenID Connect applications'),
  spec('signing_keys:read', 'admin', 'Read signing keys'),
  spec('signing_keys:rotate', 'owner', 'Rotate signing keys'),
  spec('connections:read', 'viewer', "Read the tenant's sign-in connections (never their secrets)"),
  spec('connections:write', 'owner', 'Add, change and remove sign-in connections (identity providers)'),
  spec('domains:verify', 'owner', "Assert an organization's domain verified (no DNS check is made: the tenant owner confirms ownership)"),
  spec('tenant:read', 'viewer', 'Read the tenant'),
  spec('tenant:write', 'owner', 'Change tenant settings'),
  spec('settings:read', 'viewer', "Read the tenant's settings"),
  spec('settings:write', 'admin', "Change the tenant's everyday settings: branding of the hosted pages, email sender name, who creates organizations"),
  spec('settings:secure', 'owner', "Change the tenant's security settings: password policy, allowed origins, emailed links' base URL, passkeys, audit retention"),
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

/**
 * Whether an action pattern can name one of Plinto's own permissions: it matches a catalog entry
 * (`*`, `users:*`, `users:read`) or lies in the namespace of one (`users:anything`). Everything else
 * is the tenant's application's own (`invoices:read`), which its owners manage.
 */
export function isPlintoAction(pattern: string, catalog: PermissionSpec[]): boolean {
  const namespaces = namespacesOf(catalog);
  const star = pattern.indexOf('*');
  if (star >= 0) {
    const prefix = pattern.slice(0, star);
    return catalog.some((p) => p.permission.startsWith(prefix)) || [...namespaces].some((n) => n.startsWith(prefix) || prefix.startsWith(`${n}:`));
  }
  const colon = pattern.indexOf(':');
  return namespaces.has(colon >= 0 ? pattern.slice(0, colon) : pattern);
}

// The catalog is fixed for a process: its namespaces are computed once, not on every evaluate call.
const catalogNamespaces = new WeakMap<PermissionSpec[], Set<string>>();
export function namespacesOf(catalog: PermissionSpec[]): Set<string> {
  let namespaces = catalogNamespaces.get(catalog);
  if (!namespaces) {
    namespaces = new Set(catalog.map((p) => p.permission.slice(0, p.permission.indexOf(':'))));
    catalogNamespaces.set(catalog, namespaces);
  }
  return namespaces;
}
