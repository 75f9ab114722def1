import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const org = { organizationId: z.uuid(), slug: z.string(), name: z.string() };
const member = { organizationId: z.uuid(), userId: z.uuid(), role: z.string() };
const team = { organizationId: z.uuid(), teamId: z.uuid(), name: z.string() };

/** The events this module records (the audit action catalog and the webhook event types). */
export const OrgEvents = defineEvents('orgs', {
  'organization.created': { description: 'An organization was created (its creator, if a user, became owner)', data: z.object({ ...org, ownerId: z.uuid().nullable() }).loose() },
  'organization.updated': { description: "An organization's name, slug or settings changed", data: z.object({ ...org, changes: z.array(z.string()) }).loose() },
  'organization.deleted': { description: 'An organization was deleted with its memberships and teams', data: z.object(org).loose() },
  'organization.member.added': {
    description: 'A user became a member of an organization (added, on creation, or by accepting an invitation)',
    data: z.object({ ...member, via: z.string(), teamIds: z.array(z.uuid()) }).loose(),
  },
  'organization.member.role_changed': { description: "A member's organization role changed", data: z.object({ ...member, previousRole: z.string() }).loose() },
  'organization.member.removed': { description: 'A member was removed from an organization (and its teams)', data: z.object(member).loose() },
  'organization.member.left': { description: 'A member left an organization (and its teams)', data: z.object(member).loose() },
  'organization.domain.added': { description: 'An organization claimed a domain (not verified yet)', data: z.object({ organizationId: z.uuid(), domainId: z.uuid(), domain: z.string() }).loose() },
  'organization.domain.updated': { description: "An organization's domain changed its auto-join setting or role", data: z.object({ organizationId: z.uuid(), domainId: z.uuid(), domain: z.string(), changes: z.array(z.string()) }).loose() },
  'organization.domain.verified': { description: "A tenant owner asserted an organization's domain verified", data: z.object({ organizationId: z.uuid(), domainId: z.uuid(), domain: z.string() }).loose() },
  'organization.domain.removed': { description: 'An organization gave up a domain', data: z.object({ organizationId: z.uuid(), domainId: z.uuid(), domain: z.string() }).loose() },
  'team.created': { description: 'A team was created in an organization', data: z.object({ ...team, parentId: z.uuid().nullable(), roles: z.array(z.string()) }).loose() },
  'team.updated': {
    description: 'A team was renamed, moved under another parent, or its roles or description changed',
    data: z.object({ ...team, changes: z.array(z.string()) }).loose(),
  },
  'team.deleted': { description: 'A team was deleted; its sub-teams moved up to its parent', data: z.object({ ...team, movedTeamIds: z.array(z.uuid()) }).loose() },
  'team.member.added': { description: 'A member of an organization joined one of its teams', data: z.object({ ...team, userId: z.uuid() }).loose() },
  'team.member.removed': { description: 'A member was removed from a team', data: z.object({ ...team, userId: z.uuid() }).loose() },
});
