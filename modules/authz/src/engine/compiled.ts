/** The compiled index decisions are made on: shared with the SDK's edge evaluator (one semantics). */
export { CompiledPolicy, type Decision, type DecisionRequest, type TraceEntry, type Rule, type PolicyOp } from '@plinto/sdk/policy';
