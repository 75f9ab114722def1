/**
 * Random policy worlds for the property tests: roles (with inheritance and organization scope),
 * assignments, policies (allow/deny, tied priorities, wildcards, conditions) and requests.
 * Small alphabets on purpose, so that overlaps, ties and conflicts are frequent.
 */
import fc from 'fast-check';
import { compileConditions, type CompiledConditions, type DecisionContext, type PolicyConditions } from '../src/engine/conditions';
import { CompiledPolicy } from '../src/engine/compiled';
import { assignmentLine, policyLines, roleLines } from '../src/engine/lines';
import { policySource, type GroupingLine, type PolicyLine } from '../src/engine/model';

export const ORG_A = '0190a000-0000-7000-8000-00000000000a';
export const ORG_B = '0190b000-0000-7000-8000-00000000000b';
export const DOMAINS = ['*', ORG_A, ORG_B];
export const USERS = ['u0', 'u1', 'u2', 'u3'];
export const ROLE_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
export const ACTIONS = ['inv:read', 'inv:write', 'doc:read', 'doc:delete', 'unknown:thing'];
export const ACTION_PATTERNS = ['inv:read', 'inv:write', 'doc:read', 'doc:delete', 'inv:*', 'doc:*', '*', 'inv:r*'];
export const RESOURCES = ['invoice:1', 'invoice:2', 'doc:7', 'nothing:0'];
export const RESOURCE_PATTERNS = ['invoice:1', 'invoice:2', 'doc:7', 'invoice:*', 'doc:*', '*'];
export const ZONES = ['UTC', 'Etc/GMT-2', 'Etc/GMT+5'];
export const IPS = ['10.1.2.3', '192.168.1.7', '8.8.8.8', null];

export interface WRole {
  id: string;
  name: string;
  permissions: string[];
  parents: string[];
  organizationId: string | null;
}
export interface WAssignment {
  user: string;
  role: string;
  organizationId: string | null;
}
export interface WPolicy {
  id: string;
  effect: 'allow' | 'deny';
  priority: number;
  subjects: string[];
  actions: string[];
  resources: string[];
  organizationId: string | null;
  conditions: PolicyConditions | null;
}
export interface World {
  roles: WRole[];
  assignments: WAssignment[];
  policies: WPolicy[];
}
export interface WRequest {
  subject: string;
  domain: string;
  action: string;
  resource: string;
  ip: string | null;
  mfa: boolean;
  time: Date;
  owner: string | null;
}

const sub = <T>(items: T[], min = 1, max = 3) => fc.uniqueArray(fc.constantFrom(...items), { minLength: min, maxLength: max });
const scope = fc.constantFrom<string | null>(null, null, ORG_A);
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

export const conditionsArb: fc.Arbitrary<PolicyConditions | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          ipRanges: sub(['10.0.0.0/8', '192.168.1.0/24', '8.8.8.8/32'], 1, 2),
          mfa: fc.constant(true),
          timeWindow: fc.record(
            { days: sub(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, 1, 5), hours: fc.record({ start: hhmm, end: hhmm }), timeZone: fc.constantFrom(...ZONES) },
            { requiredKeys: ['timeZone'] },
          ),
          attributes: fc.constant<PolicyConditions['attributes']>([{ attribute: 'resource.owner', operator: 'equals', valueFrom: 'subject.id' }]),
        },
        { requiredKeys: [] },
      )
      .map((c) => (Object.keys(c).length === 0 ? null : c))
      .filter((c) => !c?.timeWindow || c.timeWindow.days !== undefined || c.timeWindow.hours !== undefined),
  },
);

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    roleSpecs: fc.array(fc.record({ name: fc.constantFrom(...ROLE_NAMES), permissions: sub(ACTION_PATTERNS, 0, 3), parentPicks: fc.array(fc.nat(), { maxLength: 2 }), organizationId: scope }), {
      maxLength: 6,
    }),
    assignments: fc.array(fc.record({ user: fc.constantFrom(...USERS), role: fc.constantFrom(...ROLE_NAMES), organizationId: fc.constantFrom<string | null>(null, ORG_A, ORG_B) }), { minLength: 2, maxLength: 8 }),
    policies: fc.array(
      fc.record({
        effect: fc.constantFrom('allow' as const, 'deny' as const),
        priority: fc.constantFrom(0, 0, 0, 1, -1, 2),
        subjects: sub(['*', ...USERS.map((u) => `user:${u}`), ...ROLE_NAMES.map((r) => `role:${r}`)], 1, 3),
        actions: sub(ACTION_PATTERNS, 1, 2),
        resources: sub(RESOURCE_PATTERNS, 1, 2),
        organizationId: fc.constantFrom<string | null>(null, null, ORG_A, ORG_B),
        conditions: conditionsArb,
      }),
      { minLength: 3, maxLength: 14 },
    ),
  })
  .map(({ roleSpecs, assignments, policies }) => {
    // Roles are created in order; a role's parents are earlier roles visible in its scope
    // (as the service enforces), so the inheritance graph is acyclic by construction.
    const roles: WRole[] = [];
    const seen = new Set<string>();
    for (const [i, spec] of roleSpecs.entries()) {
      const key = `${spec.organizationId}/${spec.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const visible = roles.filter((r) => r.organizationId === null || r.organizationId === spec.organizationId).map((r) => r.name);
      const parents = [...new Set(spec.parentPicks.filter(() => visible.length > 0).map((n) => visible[n % visible.length]!))].filter((p) => p !== spec.name);
      roles.push({ id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`, name: spec.name, permissions: spec.permissions, parents, organizationId: spec.organizationId });
    }
    return {
      roles,
      assignments,
      policies: policies.map((p, i) => ({ ...p, id: `11111111-0000-7000-8000-${String(i).padStart(12, '0')}` })),
    };
  });

const WEEK_START = Date.UTC(2026, 10, 16); // a Monday
export const requestArb: fc.Arbitrary<WRequest> = fc.record({
  subject: fc.constantFrom(...USERS.map((u) => `user:${u}`), 'user:stranger'),
  domain: fc.constantFrom(...DOMAINS),
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  ip: fc.constantFrom(...IPS),
  mfa: fc.boolean(),
  time: fc.integer({ min: 0, max: 7 * 24 * 60 - 1 }).map((m) => new Date(WEEK_START + m * 60_000)),
  owner: fc.constantFrom(null, ...USERS),
});

/** A world as the engine stores it: Casbin policy and grouping lines, their conditions, and the compiled index. */
export function compileWorld(world: World) {
  const policy: PolicyLine[] = [];
  const grouping: GroupingLine[] = [];
  for (const role of world.roles) {
    const lines = roleLines(role);
    policy.push(...lines.policy);
    grouping.push(...lines.grouping);
  }
  for (const a of world.assignments) grouping.push(assignmentLine(`user:${a.user}`, a.role, a.organizationId));
  const conditions = new Map<string, CompiledConditions | null>();
  for (const p of world.policies) {
    policy.push(...policyLines(p));
    conditions.set(policySource(p.id), compileConditions(p.conditions));
  }
  const conditionsOf = (source: string) => conditions.get(source) ?? null;
  return { policy, grouping, conditionsOf, compiled: new CompiledPolicy(1, policy, grouping, conditionsOf) };
}

/** The decision context of a generated request (as `subject`, by default the request's own). */
export const contextOf = (req: WRequest, subject: string = req.subject): DecisionContext => ({
  ip: req.ip,
  time: req.time,
  mfa: req.mfa,
  subject,
  subjectAttributes: {},
  resource: req.resource,
  resourceAttributes: req.owner === null ? {} : { owner: req.owner },
  extra: {},
});
