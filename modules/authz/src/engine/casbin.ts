import { newEnforcer, newModelFromString, Util, type Enforcer, type Model } from 'casbin';
import { CASBIN_MODEL, type GroupingLine, type PolicyLine } from './model';
import type { CompiledConditions, DecisionContext } from './conditions';

export function newPlintoModel(): Model {
  return newModelFromString(CASBIN_MODEL);
}

export function linesOf(model: Model): { policy: PolicyLine[]; grouping: GroupingLine[] } {
  return {
    policy: (model.model.get('p')?.get('p')?.policy ?? []) as PolicyLine[],
    grouping: (model.model.get('g')?.get('g')?.policy ?? []) as GroupingLine[],
  };
}

/**
 * A plain Casbin Enforcer over the same lines and model: the reference semantics (tests compare
 * the compiled index with it) and the raw baseline of the bench. Conditions are Plinto functions
 * registered under a fixed name; the matcher text itself is the constant model.
 */
export async function newCasbinEnforcer(
  policy: PolicyLine[],
  grouping: GroupingLine[],
  conditionsOf: (source: string) => CompiledConditions | null,
  options: { domainMatching?: boolean } = {},
): Promise<Enforcer> {
  const model = newPlintoModel();
  model.model.get('p')!.get('p')!.policy = policy.map((line) => [...line]);
  model.model.get('g')!.get('g')!.policy = grouping.map((line) => [...line]);
  const enforcer = await newEnforcer(model);
  await enforcer.addFunction('conditionsHold', (source: string, ctx: DecisionContext) => {
    const conditions = conditionsOf(source);
    return conditions ? conditions(ctx).ok : true;
  });
  // Tenant-wide links (domain `*`) hold in every domain. Casbin implements domain patterns by
  // copying the role graph on each g() call; a single-domain data set can skip it (bench baseline).
  if (options.domainMatching !== false) await enforcer.addNamedDomainMatchingFunc('g', Util.keyMatchFunc);
  enforcer.sortPolicies();
  await enforcer.buildRoleLinks();
  return enforcer;
}
