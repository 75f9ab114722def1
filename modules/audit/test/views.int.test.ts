import { describe, expect, it } from 'vitest';
import { recordEvent, type Actor } from '@plinto/kernel';
import { undeclaredEvent } from '@plinto/kernel/testing';
import { listAuditEvents } from '../src/query.service';
import { newTenant, useDatabase } from './support';

const db = useDatabase();

describe('views', () => {
  it('a user sees what they did and what was done to them; an organization view sees only that organization; nobody sees another tenant', async () => {
    const tenantId = await newTenant(db.orm, 'views');
    const otherTenant = await newTenant(db.orm, 'views-other');
    const orgA = '0190bbbb-0000-7000-8000-00000000000a';
    const orgB = '0190bbbb-0000-7000-8000-00000000000b';
    const alice: Actor = { type: 'user', id: 'alice' };
    const admin: Actor = { type: 'user', id: 'admin' };
    const ids: Record<string, string> = {};
    await db.orm.em.fork().transactional(async (tx) => {
      ids.aliceActs = recordEvent(tx, alice, undeclaredEvent('user.updated', { tenantId, organizationId: orgA, target: { type: 'user', id: 'alice' } }));
      ids.doneToAlice = recordEvent(tx, admin, undeclaredEvent('user.disabled', { tenantId, organizationId: orgB, target: { type: 'user', id: 'alice' } }));
      ids.adminOnly = recordEvent(tx, admin, undeclaredEvent('user.disabled', { tenantId, organizationId: orgA, target: { type: 'user', id: 'bob' } }));
      ids.elsewhere = recordEvent(tx, alice, undeclaredEvent('user.updated', { tenantId: otherTenant, target: { type: 'user', id: 'alice' } }));
    });
    const list = async (scope: Parameters<typeof listAuditEvents>[1]) =>
      (await listAuditEvents(db.orm.em.fork(), scope, { limit: 100 })).items.map((e) => e.id).sort();

    expect(await list({ kind: 'self', tenantId, principalId: 'alice' })).toEqual([ids.aliceActs, ids.doneToAlice].sort());
    expect(await list({ kind: 'organization', tenantId, organizationId: orgA })).toEqual([ids.aliceActs, ids.adminOnly].sort());
    expect(await list({ kind: 'tenant', tenantId })).toEqual([ids.aliceActs, ids.doneToAlice, ids.adminOnly].sort());
    expect(await list({ kind: 'tenant', tenantId })).not.toContain(ids.elsewhere);
  });
});
