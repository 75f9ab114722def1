import { PatternIndex } from './pattern-index.js';
import { TENANT_WIDE, priorityOfRank, type Effect, type GroupingLine, type PolicyLine } from './model.js';
import type { CompiledConditions, DecisionContext } from './conditions.js';

/** One committed change to a tenant's lines (the server's Casbin adapter records these). */
export type PolicyOp =
  | { op: 'add'; ptype: 'p' | 'g'; rules: string[][] }
  | { op: 'removeFiltered'; ptype: 'p' | 'g'; fieldIndex: number; values: string[] }
  /** Anything else: the policy is reloaded in full. */
  | { op: 'reset' };


/** A `p` line, parsed once. */
export interface Rule {
  subject: string;
  domain: string;
  resource: string;
  action: string;
  effect: Effect;
  /** Casbin's sort key (lower decides first). */
  rank: number;
  /** `policy:<id>` or `role:<id>`. */
  source: string;
  conditions: CompiledConditions | null;
}

export interface DecisionRequest {
  subject: string;
  /** An organization id, or `*` for a tenant-wide request. */
  domain: string;
  action: string;
  resource: string;
  /**
   * Roles (`role:<name>`) the subject's credential itself carries in this domain (API keys,
   * machine clients); they and their parents count like roles assigned to the subject.
   */
  roles?: string[];
}

export interface TraceEntry {
  source: string;
  effect: Effect;
  priority: number;
  subject: string;
  domain: string;
  action: string;
  resource: string;
  /** `true`, or the name of the condition that did not hold. */
  conditions: true | string;
  decisive: boolean;
}

export interface Decision {
  allow: boolean;
  /** The rule that decided (`policy:<id>` / `role:<id>`); null when nothing matched (default deny). */
  source: string | null;
  reason: string;
  /** True when a conditional rule was a candidate: such a decision depends on the context. */
  conditional: boolean;
  roles?: string[];
  trace?: TraceEntry[];
}

type Bucket = PatternIndex<PatternIndex<Rule[]>>;

/** Role chains longer than Casbin's default role-manager depth are not followed (as in Casbin). */
const MAX_HIERARCHY_LEVEL = 10;
const ROLE_CACHE_LIMIT = 50_000;

/**
 * One tenant's policy at one version, indexed for decisions: rules by subject, then action
 * pattern, then resource pattern; role links by domain. A decision touches only the rules of the
 * request's subject, its roles and `*` whose patterns match — never the whole policy.
 */
export class CompiledPolicy {
  private readonly bySubject = new Map<string, Bucket>();
  /** domain → child → parents */
  private readonly links = new Map<string, Map<string, string[]>>();
  private readonly roleCache = new Map<string, string[]>();
  /** source → its rules, so a changed policy or role is removed without a scan. */
  private readonly bySource = new Map<string, Rule[]>();
  /** A `g` line may be stored more than once; a link holds while any copy is left. */
  private readonly linkCounts = new Map<string, number>();
  lineCount = 0;

  constructor(
    public version: number,
    policyLines: PolicyLine[],
    groupingLines: GroupingLine[],
    conditionsOf: (source: string) => CompiledConditions | null,
  ) {
    for (const line of policyLines) this.addRule(line, conditionsOf);
    for (const line of groupingLines) this.addLink(line);
  }

  private addRule([subject, domain, resource, action, effect, priority, source]: PolicyLine, conditionsOf: (source: string) => CompiledConditions | null): void {
    const rule: Rule = { subject, domain, resource, action, effect, rank: Number(priority), source, conditions: conditionsOf(source) };
    let bucket = this.bySubject.get(subject);
    if (!bucket) this.bySubject.set(subject, (bucket = new PatternIndex()));
    bucket.getOrCreate(action, () => new PatternIndex<Rule[]>()).getOrCreate(resource, () => []).push(rule);
    const ofSource = this.bySource.get(source);
    if (ofSource) ofSource.push(rule);
    else this.bySource.set(source, [rule]);
    this.lineCount++;
  }

  private removeSource(source: string): void {
    for (const rule of this.bySource.get(source) ?? []) {
      const rules = this.bySubject.get(rule.subject)?.getOrCreate(rule.action, () => new PatternIndex<Rule[]>()).getOrCreate(rule.resource, () => []);
      const index = rules?.indexOf(rule) ?? -1;
      if (rules && index !== -1) rules.splice(index, 1);
      this.lineCount--;
    }
    this.bySource.delete(source);
  }

  private addLink([child, parent, domain]: GroupingLine): void {
    const key = `${domain}\u0000${child}\u0000${parent}`;
    this.linkCounts.set(key, (this.linkCounts.get(key) ?? 0) + 1);
    this.lineCount++;
    let byChild = this.links.get(domain);
    if (!byChild) this.links.set(domain, (byChild = new Map()));
    const parents = byChild.get(child);
    if (parents) {
      if (!parents.includes(parent)) parents.push(parent);
    } else byChild.set(child, [parent]);
  }

  /** Removes every stored copy of the links from `child` (to `parent`, in `domain`, when given). */
  private removeLinks(child: string, parent: string, domain: string): void {
    for (const [linkDomain, byChild] of this.links) {
      if (domain && linkDomain !== domain) continue;
      const parents = byChild.get(child);
      if (!parents) continue;
      for (const linked of [...parents]) {
        if (parent && linked !== parent) continue;
        const key = `${linkDomain}\u0000${child}\u0000${linked}`;
        this.lineCount -= this.linkCounts.get(key) ?? 0;
        this.linkCounts.delete(key);
        parents.splice(parents.indexOf(linked), 1);
      }
      if (parents.length === 0) byChild.delete(child);
    }
  }

  /**
   * Applies the adapter operations of one committed change (see PolicyOp), the same ones that
   * were written to `authz_rules`. Returns false for an operation it cannot apply exactly; the
   * caller then reloads the tenant's policy in full.
   */
  apply(ops: PolicyOp[], version: number, conditionsOf: (source: string) => CompiledConditions | null): boolean {
    for (const op of ops) {
      if (op.op === 'reset') return false;
      if (op.op === 'add') {
        if (op.ptype === 'p') for (const rule of op.rules) this.addRule(rule as PolicyLine, conditionsOf);
        else for (const rule of op.rules) this.addLink(rule as GroupingLine);
        continue;
      }
      const [a = '', b = '', c = ''] = op.values;
      if (op.ptype === 'p' && op.fieldIndex === 6 && a !== '' && op.values.length === 1) this.removeSource(a);
      else if (op.ptype === 'g' && op.fieldIndex === 0 && a !== '' && op.values.length <= 3) this.removeLinks(a, b, c);
      else return false;
    }
    this.roleCache.clear();
    this.version = version;
    return true;
  }

  /** Roles `subject` holds in `domain`: links in that domain and tenant-wide ones, transitively. */
  rolesOf(subject: string, domain: string): string[] {
    const key = `${domain}\u0000${subject}`;
    const cached = this.roleCache.get(key);
    if (cached) return cached;
    const maps = [this.links.get(domain), domain === TENANT_WIDE ? undefined : this.links.get(TENANT_WIDE)].filter(
      (m): m is Map<string, string[]> => m !== undefined,
    );
    const seen = new Set<string>();
    let frontier = [subject];
    for (let level = 0; level < MAX_HIERARCHY_LEVEL && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const map of maps) {
          for (const parent of map.get(name) ?? []) {
            if (parent !== subject && !seen.has(parent)) {
              seen.add(parent);
              next.push(parent);
            }
          }
        }
      }
      frontier = next;
    }
    const roles = [...seen];
    if (this.roleCache.size >= ROLE_CACHE_LIMIT) this.roleCache.clear();
    this.roleCache.set(key, roles);
    return roles;
  }

  /** The subject's roles plus the credential's own ones and everything those inherit. */
  private rolesWithHeld(subject: string, held: string[], domain: string): string[] {
    const roles = new Set(this.rolesOf(subject, domain));
    for (const role of held) {
      roles.add(role);
      for (const parent of this.rolesOf(role, domain)) roles.add(parent);
    }
    roles.delete(subject);
    return [...roles];
  }

  decide(request: DecisionRequest, ctx: DecisionContext | (() => DecisionContext), explain = false): Decision {
    const roles = request.roles?.length ? this.rolesWithHeld(request.subject, request.roles, request.domain) : this.rolesOf(request.subject, request.domain);
    let best: Rule | null = null;
    let conditional = false;
    let context: DecisionContext | undefined;
    const getContext = () => (context ??= typeof ctx === 'function' ? ctx() : ctx);
    const trace: TraceEntry[] | undefined = explain ? [] : undefined;
    const visit = (rules: Rule[]) => {
      for (const rule of rules) {
        if (rule.domain !== TENANT_WIDE && rule.domain !== request.domain) continue;
        // A rule that cannot beat the current best needs no condition evaluation.
        if (!trace && best && rule.rank >= best.rank) continue;
        let holds: true | string = true;
        if (rule.conditions) {
          conditional = true;
          const check = rule.conditions(getContext());
          if (!check.ok) holds = check.failed ?? 'conditions';
        }
        trace?.push({
          source: rule.source,
          effect: rule.effect,
          priority: priorityOfRank(rule.rank),
          subject: rule.subject,
          domain: rule.domain,
          action: rule.action,
          resource: rule.resource,
          conditions: holds,
          decisive: false,
        });
        if (holds === true && (!best || rule.rank < best.rank)) best = rule;
      }
    };
    for (const subject of [request.subject, '*', ...roles]) {
      this.bySubject.get(subject)?.forEachMatch(request.action, (byResource) => byResource.forEachMatch(request.resource, visit));
    }
    const decided = best as Rule | null;
    if (trace && decided) {
      for (const entry of trace) if (entry.source === decided.source && entry.conditions === true && priorityOfRank(decided.rank) === entry.priority && entry.effect === decided.effect) entry.decisive = true;
    }
    const decision: Decision = decided
      ? {
          allow: decided.effect === 'allow',
          source: decided.source,
          reason: `${decided.effect} by ${decided.source} (priority ${priorityOfRank(decided.rank)})`,
          conditional,
        }
      : { allow: false, source: null, reason: 'no rule matches: denied by default', conditional };
    if (explain) {
      decision.roles = roles;
      decision.trace = trace;
    }
    return decision;
  }
}
