/**
 * What a Plinto policy means, in plain JS shared by the server's decision engine (@plinto/authz)
 * and the SDK's edge evaluator, so the two cannot drift. The Casbin model text that defines these
 * semantics stays with the server (modules/authz/src/engine/model.ts); a property test there checks
 * the compiled index against a Casbin Enforcer, and one in workerd checks the edge against the server.
 */

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
