import type { EvaluationInput } from '@plinto/sdk/policy';

/** A seeded PRNG (mulberry32): a failing seed reproduces the same worlds and requests. */
export function rng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const some = <T>(items: readonly T[], max: number): T[] => {
    const count = 1 + int(Math.min(max, items.length));
    return [...new Set(Array.from({ length: count }, () => pick(items)))];
  };
  return { next, int, pick, some, chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof rng>;

type Rest = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const ACTIONS = ['doc:read', 'doc:write', 'doc:delete', 'invoice:read', 'invoice:pay', 'report:export'] as const;
const ACTION_PATTERNS = [...ACTIONS, 'doc:*', 'invoice:*', 'report:*'] as const;
const RESOURCES = ['doc:1', 'doc:2', 'doc:secret', 'invoice:9', 'report:q1'] as const;
const RESOURCE_PATTERNS = [...RESOURCES, 'doc:*', 'invoice:*', 'report:*', '*'] as const;
const PRIORITIES = [-10, 0, 0, 0, 1, 5, 5, 100] as const;
const IPS = ['10.1.2.3', '10.200.0.9', '192.168.1.20', '192.168.2.20', '172.16.0.1', '2001:db8::1', '2001:db9::1', '::ffff:10.9.9.9', '203.0.113.7'] as const;
const RANGES = ['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '172.16.0.0/12', '203.0.113.7/32'] as const;
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'] as const;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const HOURS = ['00:00', '06:00', '09:00', '12:30', '17:00', '22:00'] as const;

export interface World {
  orgs: readonly string[];
  roles: string[];
  users: readonly string[];
}

function randomConditions(random: Random): Record<string, unknown> {
  const conditions: Record<string, unknown> = {};
  if (random.chance(0.35)) conditions.ipRanges = random.some(RANGES, 2);
  if (random.chance(0.3)) {
    const window: Record<string, unknown> = {};
    if (random.chance(0.6)) window.days = random.some(DAYS, 4);
    if (!window.days || random.chance(0.5)) window.hours = { start: random.pick(HOURS), end: random.pick(HOURS) };
    if (random.chance(0.7)) window.timeZone = random.pick(ZONES);
    conditions.timeWindow = window;
  }
  if (random.chance(0.3)) conditions.mfa = true;
  if (random.chance(0.4) || Object.keys(conditions).length === 0) {
    conditions.attributes = random.some(
      [
        { attribute: 'resource.owner', operator: 'equals', valueFrom: 'subject.id' },
        { attribute: 'subject.dept', operator: 'in', value: ['eng', 'ops'] },
        { attribute: 'subject.dept', operator: 'equals', value: 'sales' },
        { attribute: 'resource.classification', operator: 'notEquals', value: 'secret' },
        { attribute: 'context.channel', operator: 'notIn', value: ['api'] },
        { attribute: 'subject.level', operator: 'in', value: [2, 3] },
        { attribute: 'resource.type', operator: 'equals', value: 'doc' },
        { attribute: 'subject.flags.beta', operator: 'equals', value: true },
      ],
      2,
    );
  }
  return conditions;
}

/**
 * A random policy world built through the REST API: custom roles with inheritance (some scoped to
 * an organization), assignments tenant-wide and per organization, and policies of both effects at
 * clashing priorities, on patterns and literals, some organization-scoped, many conditional.
 */
export async function randomWorld(random: Random, rest: Rest, ORGS: readonly string[]): Promise<World> {
  const roles: { name: string; id: string; organizationId: string | null }[] = [];
  const roleCount = 4 + random.int(4);
  for (let i = 0; i < roleCount; i++) {
    const organizationId = random.chance(0.25) ? random.pick(ORGS) : null;
    const tenantWide = roles.filter((r) => r.organizationId === null || r.organizationId === organizationId);
    const parents = tenantWide.length > 0 && random.chance(0.6) ? random.some(tenantWide.map((r) => r.name), 2) : [];
    const name = `r${i}`;
    const res = await rest('POST', '/v1/policies/roles', { name, permissions: random.chance(0.8) ? random.some(ACTION_PATTERNS, 3) : [], parents: organizationId ? [] : parents, ...(organizationId ? { organizationId } : {}) });
    if (res.status !== 201) throw new Error(`role: ${res.status} ${JSON.stringify(res.body)}`);
    roles.push({ name, id: res.body.id, organizationId });
  }
  for (const user of USERS) {
    for (const role of random.some(roles, 2)) {
      const organizationId = role.organizationId ?? (random.chance(0.4) ? random.pick(ORGS) : undefined);
      const res = await rest('POST', `/v1/policies/roles/${role.id}/assign`, { userId: user, ...(organizationId ? { organizationId } : {}) });
      if (res.status !== 201 && res.status !== 200) throw new Error(`assign: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  const subjects = [...USERS.map((u) => `user:${u}`), ...roles.filter((r) => r.organizationId === null).map((r) => `role:${r.name}`), '*'];
  const policyCount = 15 + random.int(15);
  for (let i = 0; i < policyCount; i++) {
    const res = await rest('POST', '/v1/policies', {
      name: `p${i}`,
      effect: random.chance(0.45) ? 'deny' : 'allow',
      priority: random.pick(PRIORITIES),
      subjects: random.some(subjects, 2),
      actions: random.some(ACTION_PATTERNS, 2),
      resources: random.some(RESOURCE_PATTERNS, 2),
      ...(random.chance(0.25) ? { organizationId: random.pick(ORGS) } : {}),
      ...(random.chance(0.5) ? { conditions: randomConditions(random) } : {}),
    });
    if (res.status !== 201) throw new Error(`policy: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { orgs: ORGS, roles: roles.map((r) => r.name), users: USERS };
}

/** Random decision requests: users (and now and then a role), every context attribute conditions read. */
export function randomRequests(random: Random, world: World, count: number): EvaluationInput[] {
  const start = Date.UTC(2026, 0, 5);
  return Array.from({ length: count }, () => {
    const subject = random.chance(0.9) ? `user:${random.pick(world.users)}` : `role:${random.pick(world.roles)}`;
    const context: NonNullable<EvaluationInput['context']> = { time: new Date(start + random.int(7 * 24 * 60) * 60_000).toISOString() };
    if (random.chance(0.8)) context.ip = random.pick(IPS);
    if (random.chance(0.4)) context.organizationId = random.pick(world.orgs);
    const factors = random.next();
    if (factors < 0.3) context.mfa = true;
    else if (factors < 0.5) context.amr = random.some(['pwd', 'otp', 'webauthn'], 2);
    if (random.chance(0.7)) context.subject = { dept: random.pick(['eng', 'ops', 'sales']), level: random.int(4), ...(random.chance(0.3) ? { flags: { beta: random.chance(0.5) } } : {}) };
    if (random.chance(0.7)) context.resource = { owner: random.pick([...world.users, 'nobody']), classification: random.pick(['public', 'secret']) };
    if (random.chance(0.5)) context.channel = random.pick(['web', 'api', 'cli']);
    return { subject, action: random.pick(ACTIONS), resource: random.pick(RESOURCES), context };
  });
}
