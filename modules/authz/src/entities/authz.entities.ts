import { defineEntity, p } from '@mikro-orm/core';
import type { Conditions } from '../schemas';

/** A policy document as written through the API; its Casbin lines live in `authz_rules`. */
export const AuthzPolicy = defineEntity({
  name: 'AuthzPolicy',
  tableName: 'authz_policies',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    name: p.string(),
    description: p.text().nullable(),
    effect: p.enum(['allow', 'deny'] as const),
    priority: p.integer(),
    subjects: p.json<string[]>(),
    actions: p.json<string[]>(),
    resources: p.json<string[]>(),
    organizationId: p.uuid().nullable(),
    conditions: p.json<Conditions>().nullable(),
    revision: p.integer(),
    policyVersion: p.bigint('number'),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const AuthzRole = defineEntity({
  name: 'AuthzRole',
  tableName: 'authz_roles',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    name: p.string(),
    description: p.text().nullable(),
    permissions: p.json<string[]>(),
    parents: p.json<string[]>(),
    organizationId: p.uuid().nullable(),
    builtin: p.boolean(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const AuthzRoleAssignment = defineEntity({
  name: 'AuthzRoleAssignment',
  tableName: 'authz_role_assignments',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    roleId: p.uuid(),
    subject: p.string(),
    organizationId: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
});

/** A sampled decision: input and outcome, for the decision audit trail. */
export const AuthzDecision = defineEntity({
  name: 'AuthzDecision',
  tableName: 'authz_decisions',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    subject: p.string(),
    action: p.string(),
    resource: p.string(),
    organizationId: p.uuid().nullable(),
    allow: p.boolean(),
    source: p.string().nullable(),
    decidedBy: p.string(),
    reason: p.text(),
    policyVersion: p.bigint('number'),
    input: p.json<Record<string, unknown>>(),
    occurredAt: p.datetime(),
  },
});
