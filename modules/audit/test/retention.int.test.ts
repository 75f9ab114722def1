import { describe, expect, it } from 'vitest';
import { applyRetention, chainPendingEvents, ensurePartitions, listPartitions, verifyChain } from '@plinto/audit';
import { count, insertEventAt, newTenant, useDatabase } from './support';

const db = useDatabase();
const DAY = 86_400_000;

describe('retention', () => {
  it('drops whole expired partitions, deletes rows only for a tenant that keeps less, and the chains still verify', async () => {
    const now = Date.now();
    const longKeeper = await newTenant(db.orm, 'keeps-90');
    const shortKeeper = await newTenant(db.orm, 'keeps-10', { auditRetentionDays: 10 });
    await ensurePartitions(db.orm.em.fork(), now - 100 * DAY, 3);
    await ensurePartitions(db.orm.em.fork(), now - 20 * DAY, 3);
    const oldDay = now - 99 * DAY;
    for (const tenant of [longKeeper, shortKeeper]) {
      for (let i = 0; i < 3; i++) await insertEventAt(db.orm, tenant, oldDay + i);
      for (let i = 0; i < 2; i++) await insertEventAt(db.orm, tenant, now - 19 * DAY + i);
      await insertEventAt(db.orm, tenant, now - 1000);
    }
    while ((await chainPendingEvents(db.orm)) > 0);
    const expired = (await listPartitions(db.orm.em.fork())).find((p) => p.endMs > oldDay && p.endMs - DAY <= oldDay)!;
    expect(expired).toBeTruthy();

    const result = await applyRetention(db.orm.em.fork(), { defaultDays: 90, now });
    expect(result.droppedPartitions).toContain(expired.name);
    // The long keeper's old rows went with the partition: no row deletes were needed for them.
    expect(result.deletedRows).toBe(2);
    expect((await listPartitions(db.orm.em.fork())).map((p) => p.name)).not.toContain(expired.name);
    expect(await count(db.orm, 'select count(*)::int as n from audit_events where tenant_id = ?', [longKeeper])).toBe(3);
    expect(await count(db.orm, 'select count(*)::int as n from audit_events where tenant_id = ?', [shortKeeper])).toBe(1);

    for (const tenant of [longKeeper, shortKeeper]) {
      const report = await verifyChain(db.orm.em.fork(), tenant);
      expect(report.ok).toBe(true);
      expect(report.fromSeq).toBeGreaterThan(0); // verification starts at the recorded cut
    }
    // Applying it again changes nothing.
    const again = await applyRetention(db.orm.em.fork(), { defaultDays: 90, now });
    expect(again.deletedRows).toBe(0);
    expect(again.droppedPartitions).toEqual([]);
  });

  it('never removes an event the chain has not seen yet', async () => {
    const tenant = await newTenant(db.orm, 'unchained');
    await insertEventAt(db.orm, tenant, Date.now() - 200 * DAY);
    const result = await applyRetention(db.orm.em.fork(), { defaultDays: 90, onlyTenant: tenant });
    expect(result.deletedRows).toBe(0);
    expect(await count(db.orm, 'select count(*)::int as n from audit_events where tenant_id = ?', [tenant])).toBe(1);
  });
});
