/**
 * @plinto/sdk/policy — how a Plinto policy decides, in plain JS (no Node APIs): the compiled index,
 * ranks and patterns, conditions, and the signed policy bundle the edge evaluates. The server's
 * decision engine imports this same module, so the edge and the server cannot drift.
 */
export { TENANT_WIDE, PRIORITY_LIMIT, ROLE_PERMISSION_PRIORITY, rankOf, priorityOfRank, keyMatch, policySource, roleSource, type Effect, type PolicyLine, type GroupingLine } from './model.js';
export { PatternIndex } from './pattern-index.js';
export { CompiledPolicy, type Decision, type DecisionRequest, type TraceEntry, type Rule, type PolicyOp } from './compiled.js';
export {
  WEEKDAYS,
  compileConditions,
  mfaFromAmr,
  parseCidr,
  ipVersion,
  isTimeZone,
  isAttributePath,
  readAttribute,
  type Weekday,
  type AttributeCondition,
  type PolicyConditions,
  type DecisionContext,
  type ConditionCheck,
  type CompiledConditions,
} from './conditions.js';
export { POLICY_BUNDLE_TYPE, type PolicyBundlePayload } from './bundle-format.js';
export { contextOf, type EvaluationInput } from './context.js';
export { verifyPolicyBundle, compileBundle, decideOnBundle, PolicyBundleRejected, DelegatedDecision, type BundleRejection, type VerifiedBundle, type VerifyBundleOptions, type EdgeDecision } from './bundle.js';
export { createPolicyEvaluator, type PolicyEvaluator, type PolicyEvaluatorOptions } from './evaluator.js';
