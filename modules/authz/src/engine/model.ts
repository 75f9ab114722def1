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

/** The domain of tenant-wide rules and requests. */
export const TENANT_WIDE = '*';

/** API priorities are integers in [-PRIORITY_LIMIT, PRIORITY_LIMIT]. */
export const PRIORITY_LIMIT = 1_000_000;

/** Priority of the allow lines a role's permissions compile to. */
export const ROLE_PERMISSION_PRIORITY = 0;

export type Effect = 'allow' | 'deny';

/** Casbin's sort key: higher API priority sorts first; at equal priority deny sorts before allow. */
export function rankOf(priority: number, effect: Effect): number {
  return (PRIORITY_LIMIT - priority) * 2 + (effect === 'allow' ? 1 : 0);
}

export function priorityOfRank(rank: number): number {
  return PRIORITY_LIMIT - Math.floor(rank / 2);
}

/** A `p` line: [sub, dom, obj, act, eft, priority, src]. */
export type PolicyLine = [string, string, string, string, Effect, string, string];
/** A `g` line: [child, parent, dom]. */
export type GroupingLine = [string, string, string];

/**
 * Casbin's keyMatch, restricted to what validation allows: a pattern is a literal, optionally
 * ending in one `*` that matches any suffix (so `invoice:*` matches `invoice:1`, `*` matches all).
 */
export function keyMatch(key: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return key === pattern;
  return key.length >= star && key.startsWith(pattern.slice(0, star));
}

export const policySource = (id: string) => `policy:${id}`;
export const roleSource = (id: string) => `role:${id}`;
