import { router } from '@plinto/kernel';
import { createPolicyProcedure } from './procedures/create-policy';
import { listPoliciesProcedure } from './procedures/list-policies';
import { getPolicyProcedure } from './procedures/get-policy';
import { updatePolicyProcedure } from './procedures/update-policy';
import { deletePolicyProcedure } from './procedures/delete-policy';
import { evaluateBatchProcedure, evaluateProcedure } from './procedures/evaluate';
import { createRoleProcedure } from './procedures/create-role';
import { listRolesProcedure } from './procedures/list-roles';
import { assignRoleProcedure, unassignRoleProcedure } from './procedures/assign-role';
import { listPermissionsProcedure, myPermissionsProcedure, policyVersionProcedure } from './procedures/catalog';
import { getSettingsProcedure, updateSettingsProcedure } from './procedures/settings';
import { listDecisionsProcedure } from './procedures/list-decisions';

/**
 * Order matters for REST: the first path that matches wins, so the fixed paths
 * (/policies/roles, /policies/evaluate, ...) come before /policies/{id}.
 */
export const policiesRouter = router({
  roles: router({
    create: createRoleProcedure,
    list: listRolesProcedure,
    assign: assignRoleProcedure,
    unassign: unassignRoleProcedure,
  }),
  evaluate: evaluateProcedure,
  evaluateBatch: evaluateBatchProcedure,
  permissions: listPermissionsProcedure,
  mine: myPermissionsProcedure,
  version: policyVersionProcedure,
  decisions: listDecisionsProcedure,
  settings: router({ get: getSettingsProcedure, update: updateSettingsProcedure }),
  create: createPolicyProcedure,
  list: listPoliciesProcedure,
  get: getPolicyProcedure,
  update: updatePolicyProcedure,
  delete: deletePolicyProcedure,
});
