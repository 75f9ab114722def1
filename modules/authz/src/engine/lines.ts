import { TENANT_WIDE, policySource, rankOf, roleSource, ROLE_PERMISSION_PRIORITY, type GroupingLine, type PolicyLine } from './model';

/** How documents become Casbin lines: the only writer of `authz_rules` content. */
export interface PolicyDoc {
  id: string;
  effect: 'allow' | 'deny';
  priority: number;
  subjects: string[];
  actions: string[];
  resources: string[];
  organizationId?: string | null;
}

export interface RoleDoc {
  id: string;
  name: string;
  permissions: string[];
  parents: string[];
  organizationId?: string | null;
}

export const domainOf = (organizationId: string | null | undefined) => organizationId ?? TENANT_WIDE;

export function policyLines(policy: PolicyDoc): PolicyLine[] {
  const lines: PolicyLine[] = [];
  const rank = String(rankOf(policy.priority, policy.effect));
  const domain = domainOf(policy.organizationId);
  for (const subject of policy.subjects)
    for (const action of policy.actions)
      for (const resource of policy.resources) lines.push([subject, domain, resource, action, policy.effect, rank, policySource(policy.id)]);
  return lines;
}

/** A role's permissions are allow lines on any resource at priority 0; parents are `g` links. */
export function roleLines(role: RoleDoc): { policy: PolicyLine[]; grouping: GroupingLine[] } {
  const domain = domainOf(role.organizationId);
  const rank = String(rankOf(ROLE_PERMISSION_PRIORITY, 'allow'));
  return {
    policy: role.permissions.map((permission) => [`role:${role.name}`, domain, '*', permission, 'allow', rank, roleSource(role.id)]),
    grouping: role.parents.map((parent) => [`role:${role.name}`, `role:${parent}`, domain]),
  };
}

export function assignmentLine(subject: string, roleName: string, organizationId: string | null | undefined): GroupingLine {
  return [subject, `role:${roleName}`, domainOf(organizationId)];
}
