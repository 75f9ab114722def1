/**
 * The obviously-correct reference evaluator: no index, no cache, no Casbin — loops over every
 * role, assignment and policy, straight from the definition of the model.
 */
import type { PolicyConditions } from '../src/engine/conditions';
import type { World, WRequest } from './world';

const matches = (key: string, pattern: string) => (pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern);

const ipToInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base!) / size);
}

const OFFSET_MINUTES: Record<string, number> = { UTC: 0, 'Etc/GMT-2': 120, 'Etc/GMT+5': -300 };
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function conditionsHold(c: PolicyConditions | null, req: WRequest): boolean {
  if (!c) return true;
  if (c.ipRanges && !(req.ip && c.ipRanges.some((r) => inCidr(req.ip!, r)))) return false;
  if (c.mfa && !req.mfa) return false;
  if (c.timeWindow) {
    const local = new Date(req.time.getTime() + OFFSET_MINUTES[c.timeWindow.timeZone ?? 'UTC']! * 60_000);
    if (c.timeWindow.days && !c.timeWindow.days.includes(DAYS[local.getUTCDay()] as never)) return false;
    if (c.timeWindow.hours) {
      const now = local.getUTCHours() * 60 + local.getUTCMinutes();
      const [sh, sm] = c.timeWindow.hours.start.split(':').map(Number);
      const [eh, em] = c.timeWindow.hours.end.split(':').map(Number);
      const start = sh! * 60 + sm!;
      const end = eh! * 60 + em!;
      const inside = start < end ? now >= start && now < end : now >= start || now < end;
      if (!inside) return false;
    }
  }
  // The only attribute condition the worlds use: resource owner equals subject.
  if (c.attributes && c.attributes.length > 0 && !(req.owner !== null && req.owner === req.subject.slice('user:'.length))) return false;
  return true;
}

export interface ReferenceDecision {
  allow: boolean;
  matched: { effect: 'allow' | 'deny'; priority: number }[];
  usedInheritance: boolean;
}

export function referenceDecide(world: World, req: WRequest): ReferenceDecision {
  const inScope = (org: string | null) => org === null || org === req.domain;
  // Who the subject is, transitively: assignments and parent links valid in the request's domain.
  const held = new Set<string>([req.subject]);
  let usedInheritance = false;
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of world.assignments) {
      if (`user:${a.user}` === req.subject && (a.organizationId === null || a.organizationId === req.domain) && !held.has(`role:${a.role}`)) {
        held.add(`role:${a.role}`);
        changed = true;
      }
    }
    for (const r of world.roles) {
      if (!inScope(r.organizationId) || !held.has(`role:${r.name}`)) continue;
      for (const p of r.parents) {
        if (!held.has(`role:${p}`)) {
          held.add(`role:${p}`);
          usedInheritance = true;
          changed = true;
        }
      }
    }
  }
  const matched: ReferenceDecision['matched'] = [];
  for (const r of world.roles) {
    if (inScope(r.organizationId) && held.has(`role:${r.name}`) && r.permissions.some((p) => matches(req.action, p))) matched.push({ effect: 'allow', priority: 0 });
  }
  for (const p of world.policies) {
    if (!inScope(p.organizationId)) continue;
    if (!p.subjects.some((s) => s === '*' || held.has(s))) continue;
    if (!p.actions.some((a) => matches(req.action, a)) || !p.resources.some((r) => matches(req.resource, r))) continue;
    if (!conditionsHold(p.conditions, req)) continue;
    matched.push({ effect: p.effect, priority: p.priority });
  }
  if (matched.length === 0) return { allow: false, matched, usedInheritance };
  const top = Math.max(...matched.map((m) => m.priority));
  const atTop = matched.filter((m) => m.priority === top);
  return { allow: !atTop.some((m) => m.effect === 'deny'), matched, usedInheritance };
}
