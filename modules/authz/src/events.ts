import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const withVersion = (shape: z.ZodRawShape) => z.object({ ...shape, policyVersion: z.number().int() }).loose();

/** The events this module records (the audit action catalog and the webhook event types). */
export const AuthzEvents = defineEvents('authz', {
  'policy.created': { description: 'A policy was created', data: withVersion({ policy: z.record(z.string(), z.unknown()) }) },
  'policy.updated': { description: 'A policy was changed', data: withVersion({}) },
  'policy.deleted': { description: 'A policy was deleted', data: withVersion({}) },
  'role.created': { description: 'A role was created', data: withVersion({}) },
  'role.assigned': {
    description: 'A role was assigned to a user (or API key / machine client), tenant-wide or in an organization',
    data: withVersion({ roleId: z.string(), role: z.string(), userId: z.string() }),
  },
  'role.unassigned': { description: 'A role was taken away from a user', data: withVersion({ roleId: z.string(), role: z.string(), userId: z.string() }) },
  'authz.settings_updated': { description: "A tenant's authorization settings (OPA delegation, decision-log sampling) changed", data: withVersion({}) },
  'authz.default_roles_seeded': {
    description: 'The default roles (owner, admin, member, viewer) were created or extended for a tenant',
    data: z.object({ catalogHash: z.string(), roles: z.array(z.string()) }).loose(),
  },
});
