import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Principal } from '@plinto/kernel';
import { newCasbinEnforcer } from '../src/engine/casbin';
import { CompiledPolicy } from '../src/engine/compiled';
import { principalSubject } from '../src/engine/subjects';
import { DOMAINS, ORG_A, ORG_B, ROLE_NAMES, compileWorld, contextOf, requestArb, worldArb } from './world';

/**
 * API keys and machine clients carry their roles on the credential instead of in assignments.
 * Deciding with `roles` must mean exactly what Casbin means for a subject linked to those roles
 * in the request's domain; and the principal → subject mapping scopes an organization's
 * credential to that organization.
 */

const heldArb = fc.uniqueArray(fc.constantFrom(...ROLE_NAMES), { maxLength: 3 });

describe('roles carried by a credential', () => {
  it('decide like Casbin with the credential linked to those roles in the domain (random worlds)', async () => {
    let cases = 0;
    let allows = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.array(fc.tuple(requestArb, heldArb), { minLength: 10, maxLength: 10 }), async (world, requests) => {
        const { policy, grouping, conditionsOf, compiled } = compileWorld(world);
        for (const [req, held] of requests) {
          const subject = 'api_key:k1';
          const links = held.map((role): [string, string, string] => [subject, `role:${role}`, req.domain]);
          const enforcer = await newCasbinEnforcer(policy, [...grouping, ...links], conditionsOf);
          const viaCasbin = await enforcer.enforce(subject, req.domain, req.resource, req.action, contextOf(req, subject));
          const roles = held.map((role) => `role:${role}`);
          const viaIndex = compiled.decide({ subject, roles, domain: req.domain, action: req.action, resource: req.resource }, contextOf(req, subject)).allow;
          expect(viaIndex, JSON.stringify({ req, held, world })).toBe(viaCasbin);
          // The same roles given as assignment links decide the same on the index too.
          const linked = new CompiledPolicy(1, policy, [...grouping, ...links], conditionsOf);
          expect(linked.decide({ subject, domain: req.domain, action: req.action, resource: req.resource }, contextOf(req, subject)).allow).toBe(viaIndex);
          cases++;
          if (viaIndex) allows++;
        }
      }),
      { numRuns: 60 },
    );
    expect(cases).toBe(600);
    expect(allows).toBeGreaterThan(30);
  });

  it('an inherited role of a held role counts; a role held by nobody grants nothing', () => {
    const compiled = new CompiledPolicy(
      1,
      [
        ['role:base', '*', '*', 'inv:read', 'allow', '2000001', 'role:1'],
        ['role:other', '*', '*', 'inv:write', 'allow', '2000001', 'role:2'],
      ],
      [['role:child', 'role:base', '*']],
      () => null,
    );
    const ctx = contextOf({ subject: '', domain: '*', action: '', resource: 'invoice:1', ip: null, mfa: false, time: new Date(), owner: null }, 'client:c');
    const ask = (roles: string[] | undefined, action: string) => compiled.decide({ subject: 'client:c', roles, domain: '*', action, resource: 'invoice:1' }, ctx).allow;
    expect(ask(['role:child'], 'inv:read')).toBe(true);
    expect(ask(['role:child'], 'inv:write')).toBe(false);
    expect(ask(undefined, 'inv:read')).toBe(false);
    expect(ask([], 'inv:read')).toBe(false);
  });
});

describe('principalSubject', () => {
  const principal = (kind: Principal['kind'], attributes: Record<string, unknown>): Principal => ({ kind, id: 'p1', tenantId: 't1', attributes });

  it('decides users by their assignments, as before', () => {
    expect(principalSubject(principal('user', { roles: ['owner'] }), '*')).toEqual({ subject: 'user:p1' });
  });

  it('gives a tenant-wide credential its roles in every domain, under its own subject', () => {
    for (const domain of DOMAINS) {
      expect(principalSubject(principal('api_key', { organizationId: null, roles: ['admin', 'admin'] }), domain)).toEqual({ subject: 'api_key:p1', roles: ['role:admin'] });
    }
    expect(principalSubject(principal('machine_client', { roles: ['viewer', 'member'] }), ORG_A)).toEqual({ subject: 'client:p1', roles: ['role:member', 'role:viewer'] });
  });

  it("gives an organization's credential its roles in that organization only (not tenant-wide, not another)", () => {
    const key = principal('api_key', { organizationId: ORG_A, roles: ['admin'] });
    expect(principalSubject(key, ORG_A).roles).toEqual(['role:admin']);
    expect(principalSubject(key, '*').roles).toEqual([]);
    expect(principalSubject(key, ORG_B).roles).toEqual([]);
  });

  it('ignores role attributes that are not role names (no pattern or subject smuggling)', () => {
    expect(principalSubject(principal('api_key', { roles: ['*', 'user:x', 'Admin', 42, 'ok-role'] }), '*').roles).toEqual(['role:ok-role']);
    expect(principalSubject(principal('api_key', { roles: 'admin' }), '*').roles).toEqual([]);
  });
});
