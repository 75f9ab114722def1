import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newCasbinEnforcer } from '../src/engine/casbin';
import { referenceDecide } from './reference';
import { compileWorld, contextOf, requestArb, worldArb } from './world';


describe('the compiled engine agrees with the reference evaluator', () => {
  it('on at least 10,000 random requests over random policy worlds', () => {
    const stats = { cases: 0, allows: 0, denyWins: 0, priorityDecides: 0, inheritance: 0, conditional: 0, defaultDeny: 0 };
    fc.assert(
      fc.property(worldArb, fc.array(requestArb, { minLength: 25, maxLength: 25 }), (world, requests) => {
        const { compiled } = compileWorld(world);
        for (const req of requests) {
          const expected = referenceDecide(world, req);
          const actual = compiled.decide({ subject: req.subject, domain: req.domain, action: req.action, resource: req.resource }, contextOf(req));
          expect(actual.allow, JSON.stringify({ req, world, expected })).toBe(expected.allow);
          // Explaining must not change the outcome.
          expect(compiled.decide({ subject: req.subject, domain: req.domain, action: req.action, resource: req.resource }, contextOf(req), true).allow).toBe(expected.allow);
          stats.cases++;
          if (expected.allow) stats.allows++;
          if (expected.matched.length === 0) stats.defaultDeny++;
          const priorities = new Set(expected.matched.map((m) => m.priority));
          if (priorities.size > 1) stats.priorityDecides++;
          const top = Math.max(...expected.matched.map((m) => m.priority));
          const atTop = expected.matched.filter((m) => m.priority === top);
          if (atTop.some((m) => m.effect === 'deny') && atTop.some((m) => m.effect === 'allow')) stats.denyWins++;
          if (expected.usedInheritance) stats.inheritance++;
          if (actual.conditional) stats.conditional++;
        }
      }),
      { numRuns: 440, seed: Number(process.env.PLINTO_PROPERTY_SEED ?? Date.now() % 2_147_483_647) },
    );
    console.info(`property test coverage: ${JSON.stringify(stats)}`);
    // The worlds must actually exercise what the test claims to cover.
    expect(stats.cases).toBeGreaterThanOrEqual(10_000);
    expect(stats.allows).toBeGreaterThan(stats.cases * 0.05);
    expect(stats.denyWins).toBeGreaterThan(50);
    expect(stats.priorityDecides).toBeGreaterThan(200);
    expect(stats.inheritance).toBeGreaterThan(200);
    expect(stats.conditional).toBeGreaterThan(200);
    expect(stats.defaultDeny).toBeGreaterThan(200);
  });
});

describe('the compiled engine agrees with a plain Casbin Enforcer on the same lines and model', () => {
  it('on random worlds, conditions included (Casbin is the semantic source of truth)', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.array(requestArb, { minLength: 10, maxLength: 10 }), async (world, requests) => {
        const { policy, grouping, conditionsOf, compiled } = compileWorld(world);
        const enforcer = await newCasbinEnforcer(policy, grouping, conditionsOf);
        for (const req of requests) {
          const viaCasbin = await enforcer.enforce(req.subject, req.domain, req.resource, req.action, contextOf(req));
          const viaIndex = compiled.decide({ subject: req.subject, domain: req.domain, action: req.action, resource: req.resource }, contextOf(req)).allow;
          expect(viaIndex, JSON.stringify({ req, world })).toBe(viaCasbin);
          cases++;
        }
      }),
      { numRuns: 150 },
    );
    expect(cases).toBe(1500);
  });
});
