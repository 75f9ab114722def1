import { counter } from '@plinto/kernel';

/**
 * Authorization metrics: every decision by result and by what decided it (the engine, OPA, a
 * timeout or an error, all of which deny), and the decision cache's hits and misses (hit rate =
 * hits / (hits + misses)).
 */
const decisions = counter({ name: 'plinto_authz_decisions_total', help: 'Authorization decisions by result (allow, deny) and decider (engine, opa, timeout, error)', labelNames: ['result', 'decided_by'] });
const cacheLookups = counter({ name: 'plinto_authz_decision_cache_total', help: 'Decision cache lookups by result (hit, miss)', labelNames: ['result'] });

export const countDecision = (decision: { allow: boolean; decidedBy: string }): void => {
  decisions.inc({ result: decision.allow ? 'allow' : 'deny', decided_by: decision.decidedBy });
};

export const countCacheLookup = (hit: boolean): void => {
  cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
};
