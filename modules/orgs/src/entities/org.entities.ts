import { defineEntity, p } from '@mikro-orm/core';
import type { OrgSettings } from '../schemas';

/** A tenant's customer organization. `slug` is unique per tenant. */
export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    slug: p.string(),
    name: p.string(),
    settings: p.json<OrgSettings>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/**
 * A user's membership with its one organization role. The role's permissions reach the authz
 * engine as the link `user:<id>` → `role:<name>` in the organization's domain, written in the
 * same transaction as this row (see authz-links.ts).
 */
export const OrganizationMember = defineEntity({
  name: 'OrganizationMember',
  tableName: 'organization_members',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid(),
    userId: p.uuid(),
    role: p.string(),
    via: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/** A team of an organization; `parentId` nests it (no cycles, at most MAX_TEAM_DEPTH levels). */
export const Team = defineEntity({
  name: 'Team',
  tableName: 'teams',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid(),
    parentId: p.uuid().nullable(),
    name: p.string(),
    description: p.text().nullable(),
    /** Roles held in the organization by every member of this team and of its sub-teams. */
    roles: p.json<string[]>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const TeamMember = defineEntity({
  name: 'TeamMember',
  tableName: 'team_members',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    organizationId: p.uuid(),
    teamId: p.uuid(),
    userId: p.uuid(),
    createdAt: p.datetime(),
  },
});
