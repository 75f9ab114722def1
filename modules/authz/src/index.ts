/**
 * @plinto/authz — roles, policies and the decision engine: the one place that decides who may do
 * what, for Plinto's own API (`ctx.authorize`) and for tenants' applications (`/v1/policies/evaluate`).
 */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import { AuthzEvents } from './events';
import { policiesRouter } from './router';
import { AUTHZ_ENGINE, startAuthzEngine } from './engine/engine';
import { buildPermissionCatalog, permissionsFromRouter } from './catalog';
import { authzConfigSchema } from './config';
import { createPolicy, updatePolicy, deletePolicy, getPolicy, listPolicies } from './policies.service';
import { createRole, listRoles, assignRole, unassignRole } from './roles.service';
import { evaluate, evaluateBatch } from './evaluate.service';
import { listPermissions, myPermissions, policyVersion } from './catalog.service';
import { getSettings, updateSettings } from './settings.service';
import { listDecisions } from './decisions.service';
import { AuthzDecision, AuthzPolicy, AuthzRole, AuthzRoleAssignment } from './entities/authz.entities';
import { authzMigrations } from './migrations';

export { policiesRouter } from './router';
export { AuthzEngine, startAuthzEngine, engineOf, AUTHZ_ENGINE, type EngineDecision, type TenantSnapshot, type PolicySource } from './engine/engine';
export { CompiledPolicy, type Decision, type DecisionRequest, type TraceEntry } from './engine/compiled';
export { compileConditions, mfaFromAmr, type PolicyConditions, type DecisionContext, type CompiledConditions } from './engine/conditions';
export { CASBIN_MODEL, TENANT_WIDE, keyMatch, rankOf, type PolicyLine, type GroupingLine } from './engine/model';
export { newCasbinEnforcer, newPlintoModel, linesOf } from './engine/casbin';
export { policyLines, roleLines, assignmentLine, type PolicyDoc, type RoleDoc } from './engine/lines';
export { MikroOrmCasbinAdapter } from './adapter';
export { buildPermissionCatalog, permissionsFromRouter, defaultRoles, isPlintoAction, PLATFORM_PERMISSIONS, DEFAULT_ROLE_NAMES, type PermissionSpec } from './catalog';
export { authzConfig, authzConfigSchema, type AuthzConfig } from './config';
export { createPolicy, updatePolicy, deletePolicy, getPolicy, listPolicies } from './policies.service';
export { createRole, listRoles, assignRole, unassignRole, assertCanConferRole } from './roles.service';
export { principalSubject, type PrincipalSubject } from './engine/subjects';
export { updateSettings, getSettings } from './settings.service';
export { evaluate, evaluateBatch } from './evaluate.service';
export { policyBundleContent, type PolicyBundleContent } from './bundle.service';
export { POLICY_BUNDLE_TYPE } from '@plinto/sdk/policy';
export { listPermissions, myPermissions, policyVersion } from './catalog.service';
export { createAuthorizer } from './authorizer';
export { listDecisions } from './decisions.service';
export { ensureTenantSeeded } from './seed';
export { AuthzErrors } from './errors';
export { AuthzEvents } from './events';
export type { AuthzCaller } from './changes';
export * from './schemas';

export const authzSchema: ModuleSchema = {
  entities: [AuthzPolicy, AuthzRole, AuthzRoleAssignment, AuthzDecision],
  migrations: authzMigrations,
};

export const authzModule = defineModule({
  name: 'authz',
  routers: { policies: policiesRouter },
  schema: authzSchema,
  events: [AuthzEvents],
  config: authzConfigSchema,
  services: { createPolicy, updatePolicy, deletePolicy, getPolicy, listPolicies, createRole, listRoles, assignRole, unassignRole, evaluate, evaluateBatch, listPermissions, myPermissions, policyVersion, getSettings, updateSettings, listDecisions },
  /** The decision engine of the api process, over the catalog of every module's declared permissions. */
  async start({ orm, config, logger, services, process, modules }) {
    if (process !== 'api') return;
    const declared = modules.flatMap((m) => Object.values(m.routers ?? {}).flatMap((r) => permissionsFromRouter(r)));
    const engine = await startAuthzEngine({ orm, config, logger, catalog: buildPermissionCatalog(declared) });
    services.set(AUTHZ_ENGINE, engine);
    return engine;
  },
});
export { stageLinks, findRoleInScope, type DomainLink, type LinkChange } from './domain-links';
