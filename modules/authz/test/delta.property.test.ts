import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CompiledPolicy } from '../src/engine/compiled';
import { compileConditions, type CompiledConditions } from '../src/engine/conditions';
import { assignmentLine, domainOf, policyLines } from '../src/engine/lines';
import { policySource } from '../src/engine/model';
import type { AdapterOp } from '../src/adapter';
import { referenceDecide } from './reference';
import { compileWorld, contextOf, requestArb, worldArb, type World, type WPolicy } from './world';

/**
 * Every api process applies committed changes to its compiled policy as deltas (the adapter
 * operations) instead of reloading. After any sequence of changes, the incrementally maintained
 * index must decide exactly like the reference evaluator on the resulting world.
 */
const build = (world: World) => compileWorld(world).compiled;


type Change = { kind: 'removePolicy' | 'removeAssignment'; pick: number } | { kind: 'addPolicy' | 'updatePolicy'; pick: number; from: World } | { kind: 'addAssignment'; from: World };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('removePolicy' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('removeAssignment' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('addPolicy' as const), pick: fc.nat(), from: worldArb }),
  fc.record({ kind: fc.constant('updatePolicy' as const), pick: fc.nat(), from: worldArb }),
  fc.record({ kind: fc.constant('addAssignment' as const), from: worldArb }),
);

describe('deltas applied to a compiled policy', () => {
  it('keep it equivalent to the reference after random change sequences', () => {
    let cases = 0;
    let serial = 0;
    fc.assert(
      fc.property(worldArb, fc.array(changeArb, { minLength: 1, maxLength: 6 }), fc.array(requestArb, { minLength: 20, maxLength: 20 }), (initial, changes, requests) => {
        const world: World = structuredClone(initial);
        const compiled = build(world);
        let version = 1;
        for (const change of changes) {
          const ops: AdapterOp[] = [];
          const conditions = new Map<string, CompiledConditions | null>();
          const fresh = (p: WPolicy): WPolicy => ({ ...p, id: `22222222-0000-7000-8000-${String(++serial).padStart(12, '0')}` });
          if (change.kind === 'removePolicy' && world.policies.length > 0) {
            const [gone] = world.policies.splice(change.pick % world.policies.length, 1);
            ops.push({ op: 'removeFiltered', ptype: 'p', fieldIndex: 6, values: [policySource(gone!.id)] });
          } else if (change.kind === 'removeAssignment' && world.assignments.length > 0) {
            const a = world.assignments[change.pick % world.assignments.length]!;
            // Deleting the line removes every identical copy, as the adapter's DELETE does.
            world.assignments = world.assignments.filter((b) => !(b.user === a.user && b.role === a.role && domainOf(b.organizationId) === domainOf(a.organizationId)));
            ops.push({ op: 'removeFiltered', ptype: 'g', fieldIndex: 0, values: assignmentLine(`user:${a.user}`, a.role, a.organizationId) });
          } else if ((change.kind === 'addPolicy' || change.kind === 'updatePolicy') && change.from.policies.length > 0) {
            const incoming = change.from.policies[change.pick % change.from.policies.length]!;
            let policy = fresh(incoming);
            if (change.kind === 'updatePolicy' && world.policies.length > 0) {
              const index = change.pick % world.policies.length;
              policy = { ...incoming, id: world.policies[index]!.id };
              world.policies[index] = policy;
              ops.push({ op: 'removeFiltered', ptype: 'p', fieldIndex: 6, values: [policySource(policy.id)] });
            } else world.policies.push(policy);
            conditions.set(policySource(policy.id), compileConditions(policy.conditions));
            ops.push({ op: 'add', ptype: 'p', rules: policyLines(policy) });
          } else if (change.kind === 'addAssignment' && change.from.assignments.length > 0) {
            const a = change.from.assignments[0]!;
            world.assignments.push(a);
            ops.push({ op: 'add', ptype: 'g', rules: [assignmentLine(`user:${a.user}`, a.role, a.organizationId)] });
          }
          expect(compiled.apply(ops, ++version, (s) => conditions.get(s) ?? null)).toBe(true);
        }
        expect(compiled.version).toBe(version);
        const rebuilt = build(world);
        expect(compiled.lineCount).toBe(rebuilt.lineCount);
        for (const req of requests) {
          const request = { subject: req.subject, domain: req.domain, action: req.action, resource: req.resource };
          const expected = referenceDecide(world, req).allow;
          expect(compiled.decide(request, contextOf(req)).allow, JSON.stringify({ req, changes: changes.map((c) => c.kind) })).toBe(expected);
          expect(rebuilt.decide(request, contextOf(req)).allow).toBe(expected);
          cases++;
        }
      }),
      { numRuns: 200 },
    );
    expect(cases).toBe(4000);
  });

  it('refuses operations it cannot apply exactly, so the engine reloads instead', () => {
    const compiled = new CompiledPolicy(1, [], [], () => null);
    expect(compiled.apply([{ op: 'reset' }], 2, () => null)).toBe(false);
    expect(compiled.apply([{ op: 'removeFiltered', ptype: 'p', fieldIndex: 0, values: ['user:x'] }], 2, () => null)).toBe(false);
  });
});
