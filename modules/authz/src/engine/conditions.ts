/** Policy conditions (data, evaluated by Plinto's own code): shared with the SDK's edge evaluator. */
export {
  WEEKDAYS,
  compileConditions,
  mfaFromAmr,
  parseCidr,
  isTimeZone,
  isAttributePath,
  readAttribute,
  type Weekday,
  type AttributeCondition,
  type PolicyConditions,
  type DecisionContext,
  type ConditionCheck,
  type CompiledConditions,
} from '@plinto/sdk/policy';
