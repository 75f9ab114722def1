/**
 * @plinto/authz — roles, policies and the decision engine: the one place that decides who may do
 * what, for Plinto's own API (`ctx.authorize`) and for tenants' applications (`/v1/policies/evaluate`).
 */
import './events';
import type { ModuleSchema } from '@plinto/kernel';
import { AuthzDecision, AuthzPolicy, AuthzRole, AuthzRoleAssignment } from './entities/authz.entities';
import { authzMigrations } from './migrations';
import './config';

export { policiesRouter } from './router';
export { AuthzEngine, startAuthzEngine, engineOf, registerEngine, unregisterEngine, type EngineDecision, type TenantSnapshot } from './engine/engine';
export { CompiledPolicy, type Decision, type DecisionRequest, type TraceEntry } from './engine/compiled';
export { compileConditions, mfaFromAmr, type PolicyConditions, type DecisionContext, type CompiledConditions } from './engine/conditions';
export { CASBIN_MODEL, TENANT_WIDE, keyMatch, rankOf, type PolicyLine, type GroupingLine } from './engine/model';
export { newCasbinEnforcer, newPlintoModel, linesOf } from './engine/casbin';
export { policyLines, roleLines, assignmentLine, type PolicyDoc, type RoleDoc } from './engine/lines';
export { MikroOrmCasbinAdapter } from './adapter';
export { buildPermissionCatalog, permissionsFromRouter, defaultRoles, PLATFORM_PERMISSIONS, DEFAULT_ROLE_NAMES, type PermissionSpec } from './catalog';
export { authzConfig, authzConfigSchema, type AuthzConfig } from './config';
export { createPolicy, updatePolicy, deletePolicy, getPolicy, listPolicies } from './policies.service';
export { createRole, listRoles, assignRole, unassignRole, assertCanConferRole } from './roles.service';
export { principalSubject, type PrincipalSubject } from './engine/subjects';
export { updateSettings, getSettings } from './settings.service';
export { evaluate } from './evaluate.service';
export { listDecisions } from './decisions.service';
export { ensureTenantSeeded } from './seed';
export { AuthzErrors } from './errors';
export type { AuthzCaller } from './changes';
export * from './schemas';

export const authzSchema: ModuleSchema = {
  entities: [AuthzPolicy, AuthzRole, AuthzRoleAssignment, AuthzDecision],
  migrations: authzMigrations,
};
export { stageLinks, findRoleInScope, type DomainLink, type LinkChange } from './domain-links';
