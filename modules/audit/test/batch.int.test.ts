import { describe, expect, it } from 'vitest';
import { AppError, type ConsumerDeps } from '@plinto/kernel';
import { appendAppEvent, appendAppEvents, auditModule, chainPendingEvents, declareAppEventSchema, verifyChain } from '@plinto/audit';
import { asOperator, count, newTenant, useDatabase } from './support';

const db = useDatabase();
const chainAll = async () => {
  while ((await chainPendingEvents(db.orm)) > 0);
};

async function tenantWithSchema(slug: string) {
  const tenantId = await newTenant(db.orm, slug);
  await declareAppEventSchema(asOperator(db, tenantId), {
    action: 'invoice.paid',
    dataSchema: { fields: { n: { type: 'integer', required: true } }, additionalFields: false },
  });
  return tenantId;
}

const paid = (n: number, idempotencyKey?: string) => ({ action: 'invoice.paid', data: { n }, ...(idempotencyKey ? { idempotencyKey } : {}) });
const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('batch appends under concurrency', () => {
  it('N events from concurrent batches and single appends: N rows, each batch chained in request order, the chain verifies', async () => {
    const tenantId = await tenantWithSchema('batch-busy');
    const BATCHES = 60;
    const PER_BATCH = 50;
    const SINGLES = 400;
    const batchIds: string[][] = [];
    let nextBatch = 0;
    let nextSingle = 0;
    // 24 concurrent writers, each its own request-scoped EntityManager, as 24 api requests would be.
    await Promise.all(
      Array.from({ length: 24 }, async (_, w) => {
        for (;;) {
          if (w % 2 === 0 && nextBatch < BATCHES) {
            const b = nextBatch++;
            const events = Array.from({ length: PER_BATCH }, (_, i) => paid(b * PER_BATCH + i, `b${b}-${i}`));
            const result = await appendAppEvents(asOperator(db, tenantId), events);
            expect(result.appended).toBe(PER_BATCH);
            batchIds[b] = result.ids;
          } else if (nextSingle < SINGLES) {
            await appendAppEvent(asOperator(db, tenantId), paid(BATCHES * PER_BATCH + nextSingle++));
          } else if (nextBatch >= BATCHES) return;
        }
      }),
    );
    const N = BATCHES * PER_BATCH + SINGLES;
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(N);
    expect(await count(db.orm, `select count(distinct (data->>'n'))::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(N);
    expect(await count(db.orm, `select count(*)::int as n from outbox where tenant_id = ? and job_name = 'invoice.paid'`, [tenantId])).toBe(N);

    await chainAll();
    expect(await verifyChain(db.orm.em.fork(), tenantId)).toMatchObject({ ok: true, checked: N + 1, pending: 0, firstProblem: null });
    // Each batch's events sit in the chain in the order the request listed them.
    for (const ids of batchIds) {
      const rows = await db.orm.em.fork().execute<{ id: string; seq: string; n: number }[]>(
        `select id, chain_seq as seq, (data->>'n')::int as n from audit_events where id = any(?::uuid[]) order by chain_seq`,
        [`{${ids.join(',')}}`],
      );
      expect(rows.map((r) => r.id)).toEqual(ids);
      expect(rows.map((r) => r.n)).toEqual([...rows.map((r) => r.n)].sort((x, y) => x - y));
    }
  }, 180_000);
});

describe('a batch is all or nothing', () => {
  it('one bad event rejects the whole batch, naming its index and field', async () => {
    const tenantId = await tenantWithSchema('batch-bad');
    const error = await rejection(
      appendAppEvents(asOperator(db, tenantId), [paid(1), paid(2), { action: 'invoice.paid', data: { n: 'three' } }, paid(4), { action: 'invoice.lost', data: {} }]),
    );
    expect(error.appCode).toBe('AUDIT_BATCH_INVALID');
    expect(error.status).toBe(400);
    expect(error.fields?.map((f) => [f.path, f.code])).toEqual([
      ['events.2.data.n', 'invalid_type'],
      ['events.4.action', 'schema_not_found'],
    ]);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action like 'invoice.%'`, [tenantId])).toBe(0);
    expect(await count(db.orm, `select count(*)::int as n from outbox where tenant_id = ? and job_name like 'invoice.%'`, [tenantId])).toBe(0);
  });

  it('a key used twice in one batch is an error naming both places', async () => {
    const tenantId = await tenantWithSchema('batch-dupkey');
    const error = await rejection(appendAppEvents(asOperator(db, tenantId), [paid(1, 'k1'), paid(2, 'k2'), paid(3, 'k1')]));
    expect(error.fields).toEqual([{ path: 'events.2.idempotencyKey', message: 'Same key as events.0', code: 'duplicate_key' }]);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(0);
  });
});

describe('idempotency keys', () => {
  it('a retried batch appends nothing twice and answers the first ids; new keys in it are appended', async () => {
    const tenantId = await tenantWithSchema('batch-retry');
    const first = await appendAppEvents(asOperator(db, tenantId), [paid(1, 'a'), paid(2, 'b'), paid(3)]);
    expect(first.appended).toBe(3);
    const retry = await appendAppEvents(asOperator(db, tenantId), [paid(1, 'a'), paid(2, 'b'), paid(4, 'c')]);
    expect(retry.ids.slice(0, 2)).toEqual(first.ids.slice(0, 2));
    expect(retry.appended).toBe(1);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(4);
    expect(await count(db.orm, `select count(*)::int as n from outbox where tenant_id = ? and job_name = 'invoice.paid'`, [tenantId])).toBe(4);
    // Each appended event's domain event carries it whole (webhooks and realtime get what a single append sends).
    const [outbox] = await db.orm.em.fork().execute<{ payload: Record<string, unknown> }[]>(`select payload from outbox where payload->>'eventId' = ?`, [first.ids[1]]);
    expect(outbox!.payload).toMatchObject({ eventId: first.ids[1], action: 'invoice.paid', tenantId, data: { n: 2, recordedBy: { type: 'platform_operator' } }, actor: { type: 'platform_operator' } });
  });

  it('the same batch retried concurrently (a client timing out and retrying) is appended once', async () => {
    const tenantId = await tenantWithSchema('batch-race');
    const events = Array.from({ length: 100 }, (_, i) => paid(i, `race-${i}`));
    const results = await Promise.all(Array.from({ length: 8 }, () => appendAppEvents(asOperator(db, tenantId), events)));
    expect(results.reduce((sum, r) => sum + r.appended, 0)).toBe(100);
    for (const r of results) expect(r.ids).toEqual(results[0]!.ids);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where tenant_id = ? and action = 'invoice.paid'`, [tenantId])).toBe(100);
    await chainAll();
    expect((await verifyChain(db.orm.em.fork(), tenantId)).ok).toBe(true);
  });

  it('keys belong to a tenant: another tenant’s same keys append its own events and never reveal the first tenant’s ids', async () => {
    const a = await tenantWithSchema('batch-keys-a');
    const b = await tenantWithSchema('batch-keys-b');
    const inA = await appendAppEvents(asOperator(db, a), [paid(1, 'shared-1'), paid(2, 'shared-2')]);
    const inB = await appendAppEvents(asOperator(db, b), [paid(1, 'shared-1'), paid(2, 'shared-2')]);
    expect(inB.appended).toBe(2);
    expect(inB.ids.filter((id) => inA.ids.includes(id))).toEqual([]);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where id = any(?::uuid[]) and tenant_id = ?`, [`{${inB.ids.join(',')}}`, b])).toBe(2);
  });
});

describe('forgetting keys', () => {
  it('the maintenance task forgets keys older than AUDIT_APPEND_KEY_TTL_HOURS, and only those; the events stay', async () => {
    const tenantId = await tenantWithSchema('batch-ttl');
    const old = await appendAppEvents(asOperator(db, tenantId), [paid(1, 'old')]);
    await appendAppEvents(asOperator(db, tenantId), [paid(2, 'recent')]);
    await db.orm.em.fork().execute(`update audit_append_keys set created_at = now() - interval '25 hours' where tenant_id = ? and key = 'old'`, [tenantId]);
    const task = auditModule.maintenance!.find((t) => t.name === 'audit.append-keys')!;
    expect(await task.run({ orm: db.orm, config: db.config } as ConsumerDeps)).toMatchObject({ deletedKeys: 1 });
    expect(await count(db.orm, `select count(*)::int as n from audit_append_keys where tenant_id = ?`, [tenantId])).toBe(1);
    expect(await count(db.orm, `select count(*)::int as n from audit_events where id = ?`, [old.ids[0]])).toBe(1);
  });
});
