import { describe, expect, it } from 'vitest';
import { recordEvent, SYSTEM_ACTOR } from '@plinto/kernel';
import { undeclaredEvent } from '@plinto/kernel/testing';
import { appendAppEvent, chainPendingEvents, declareAppEventSchema, verifyChain } from '@plinto/audit';
import { asOperator, count, insertEventAt, newTenant, useDatabase } from './support';

const db = useDatabase();
const chainAll = async () => {
  while ((await chainPendingEvents(db.orm)) > 0);
};

describe('10,000 concurrent audited actions', () => {
  it('leave exactly 10,000 events — none lost, none duplicated — all chained and verifiable; rolled back ones leave none', async () => {
    const tenantId = await newTenant(db.orm, 'busy');
    await declareAppEventSchema(asOperator(db, tenantId), {
      action: 'invoice.paid',
      dataSchema: { fields: { n: { type: 'integer', required: true } }, additionalFields: false },
    });
    const N = 10_000;
    let next = 0;
    // 40 concurrent writers, each its own request-scoped EntityManager, as 40 api requests would be.
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < N) {
          const n = next++;
          await appendAppEvent(asOperator(db, tenantId), { action: 'invoice.paid', data: { n } });
        }
      }),
    );
    // Failed actions: the transaction rolls back after writing its event.
    for (let i = 0; i < 25; i++) {
      await db.orm.em
        .fork()
        .transactional(async (tx) => {
          recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('invoice.paid', { tenantId, source: 'app', data: { n: -1 } }));
          await tx.flush();
          throw new Error('rolled back');
        })
        .catch(() => undefined);
    }
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(N);
    expect(await count(db.orm, `select count(distinct (data->>'n'))::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(N);

    await chainAll();
    const report = await verifyChain(db.orm.em.fork(), tenantId);
    expect(report).toMatchObject({ ok: true, checked: N + 1, pending: 0, firstProblem: null });
  }, 180_000);
});

describe('integrity verification', () => {
  async function chainedTenant(slug: string, events = 20) {
    const tenantId = await newTenant(db.orm, slug);
    await db.orm.em.fork().transactional(async (tx) => {
      for (let i = 0; i < events; i++) recordEvent(tx, SYSTEM_ACTOR, undeclaredEvent('tenant.updated', { tenantId, data: { i } }));
    });
    await chainAll();
    const ids = (await db.orm.em.fork().execute<{ id: string }[]>('select id from audit_events where tenant_id = ? order by chain_seq', [tenantId])).map((r) => r.id);
    expect((await verifyChain(db.orm.em.fork(), tenantId)).ok).toBe(true);
    return { tenantId, ids };
  }

  it('names an event edited in SQL', async () => {
    const { tenantId, ids } = await chainedTenant('edited');
    await db.orm.em.fork().execute(`update audit_events set data = '{"i": 999}'::jsonb where id = ?`, [ids[7]]);
    expect((await verifyChain(db.orm.em.fork(), tenantId)).firstProblem).toEqual({ kind: 'edited', eventId: ids[7], seq: 8 });
  });

  it('names where an event was removed (middle and tail)', async () => {
    const { tenantId, ids } = await chainedTenant('removed');
    await db.orm.em.fork().execute('delete from audit_events where id = ?', [ids[11]]);
    expect((await verifyChain(db.orm.em.fork(), tenantId)).firstProblem).toEqual({ kind: 'removed', seq: 12, afterEventId: ids[10] });
    const tail = await chainedTenant('removed-tail');
    await db.orm.em.fork().execute('delete from audit_events where id = ?', [tail.ids[19]]);
    expect((await verifyChain(db.orm.em.fork(), tail.tenantId)).firstProblem).toEqual({ kind: 'removed', seq: 20, afterEventId: tail.ids[18] });
  });

  it('names an event inserted behind Plinto’s back', async () => {
    const { tenantId, ids } = await chainedTenant('inserted');
    // A forged row that claims a place in the chain.
    const [victim] = await db.orm.em.fork().execute<{ chain_seq: string; chain_hash: string }[]>('select chain_seq, chain_hash from audit_events where id = ?', [ids[4]]);
    const forged = await insertEventAt(db.orm, tenantId, Date.now(), { action: 'tenant.updated', data: { i: 'forged' } });
    await db.orm.em.fork().execute('update audit_events set chain_seq = ?, chain_hash = ? where id = ?', [victim!.chain_seq, victim!.chain_hash, forged]);
    const problem = (await verifyChain(db.orm.em.fork(), tenantId)).firstProblem;
    expect(problem?.kind).toMatch(/inserted|edited/);
    expect([forged, ids[4]]).toContain((problem as { eventId: string }).eventId);

    // A forged row that never entered the chain, dated in the past.
    const other = await chainedTenant('inserted-unchained');
    const old = await insertEventAt(db.orm, other.tenantId, Date.now() - 3600_000, { action: 'tenant.updated' });
    expect((await verifyChain(db.orm.em.fork(), other.tenantId)).firstProblem).toEqual({ kind: 'inserted', eventId: old, seq: null });
  });
});
