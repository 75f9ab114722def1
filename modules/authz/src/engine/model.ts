/**
 * The Casbin model that defines what a Plinto policy means. It is the semantic source of truth:
 * policies, roles and assignments are stored as the Casbin lines below (through the MikroORM
 * adapter), and the compiled per-tenant index (compiled.ts) answers exactly what an Enforcer with
 * this model would answer — a property test checks the two against each other. The text is a
 * constant: no user-supplied string ever becomes part of a matcher.
 *
 * - `p = sub, dom, obj, act, eft, priority, src`: one line per (subject, action, resource) of a
 *   policy or per permission of a role. `dom` is an organization id, or `*` for tenant-wide.
 *   `priority` is Casbin's sort key (lower decides first), derived by `rankOf` so that the API's
 *   "higher priority decides, equal priority deny wins" is Casbin's "first match decides".
 *   `src` names the policy or role the line came from (`policy:<id>` / `role:<id>`).
 * - `g = _, _, _`: `user:<id>` → `role:<name>` assignments and `role:<child>` → `role:<parent>`
 *   inheritance, per domain; links in domain `*` hold in every domain (domain matching by keyMatch).
 * - `conditionsHold(src, ctx)` is Plinto code (conditions.ts) registered as a Casbin function.
 */
export const CASBIN_MODEL = `
[request_definition]
r = sub, dom, obj, act, ctx

[policy_definition]
p = sub, dom, obj, act, eft, priority, src

[role_definition]
g = _, _, _

[policy_effect]
e = priority(p.eft) || deny

[matchers]
m = (p.sub == "*" || g(r.sub, p.sub, r.dom)) && (p.dom == "*" || p.dom == r.dom) && keyMatch(r.obj, p.obj) && keyMatch(r.act, p.act) && conditionsHold(p.src, r.ctx)
`;

/**
 * Everything else that defines a decision — ranks, keyMatch, the compiled index, conditions — is
 * plain JS in @plinto/sdk/policy, the one module this engine and the SDK's edge evaluator both run.
 */
export { TENANT_WIDE, PRIORITY_LIMIT, ROLE_PERMISSION_PRIORITY, rankOf, priorityOfRank, keyMatch, policySource, roleSource, type Effect, type PolicyLine, type GroupingLine } from '@plinto/sdk/policy';
