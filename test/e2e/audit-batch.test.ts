import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { sqlClient, startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';

/**
 * POST /v1/audit-logs/batch (tRPC auditLogs.appendMany) against the real api: all or nothing with
 * the faulty event's index named, idempotency keys that make a retry append nothing twice, and a
 * batch that can only ever write into the caller's own tenant.
 */
let api: TestApi;
const A = 'audit-batch-a';
const B = 'audit-batch-b';
let tenantA: string;
let tenantB: string;
let keyA: string;

const batch = (events: unknown[], options: { token?: string; tenant?: string } = { tenant: A }) =>
  api.rest('POST', '/v1/audit-logs/batch', { ...options, body: { events } });
const countIn = async (tenantId: string, action = 'doc.signed') =>
  Number((await sqlClient(api.config.DATABASE_URL).query('select count(*)::int as n from audit_events where tenant_id = $1 and action = $2', [tenantId, action])).rows[0].n);

beforeAll(async () => {
  api = await startTestApi();
  await startTestWorkers(api.config);
  tenantA = (await api.rest('POST', '/v1/tenants', { body: { slug: A, name: 'A' } })).body.id;
  tenantB = (await api.rest('POST', '/v1/tenants', { body: { slug: B, name: 'B' } })).body.id;
  for (const tenant of [A, B]) {
    const declared = await api.rest('POST', '/v1/audit-logs/schemas', {
      tenant,
      body: { action: 'doc.signed', dataSchema: { fields: { n: { type: 'integer', required: true } } } },
    });
    expect(declared.status).toBe(200);
  }
  const key = await api.rest('POST', '/v1/api-keys', { tenant: A, body: { name: 'backend of A', role: 'owner' } });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  keyA = key.body.key;
});

describe('POST /v1/audit-logs/batch', () => {
  it('appends the events in request order (201) and they are listed, chained and verifiable like single appends', async () => {
    const res = await batch(Array.from({ length: 5 }, (_, n) => ({ action: 'doc.signed', actor: { type: 'user', id: `u${n}` }, data: { n } })), { token: keyA });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.appended).toBe(5);
    const listed = await api.rest('GET', '/v1/audit-logs?action=doc.signed&limit=5', { token: keyA });
    expect(listed.body.items.map((e: { id: string }) => e.id)).toEqual([...res.body.ids].reverse());
    expect(listed.body.items[0]).toMatchObject({ source: 'app', actor: { type: 'user', id: 'u4' }, data: { n: 4, recordedBy: { type: 'api_key' } } });
    await waitFor(async () => (await api.rest('GET', '/v1/audit-logs/integrity', { tenant: A })).body.pending === 0, 'the chainer');
    expect((await api.rest('GET', '/v1/audit-logs/integrity', { tenant: A })).body).toMatchObject({ ok: true, firstProblem: null });
  });

  it("gives each event the same domain event (outbox payload) as a single append of it", async () => {
    const event = { action: 'doc.signed', actor: { type: 'user', id: 'u-same' }, target: { type: 'doc', id: 'd-1' }, data: { n: 7 } };
    const single = await api.rest('POST', '/v1/audit-logs/events', { token: keyA, body: event });
    expect(single.status, JSON.stringify(single.body)).toBe(201);
    const batched = await batch([event, { action: 'doc.signed', data: { n: 8 } }], { token: keyA });
    expect(batched.status, JSON.stringify(batched.body)).toBe(201);
    const payloadOf = async (eventId: string) =>
      (await sqlClient(api.config.DATABASE_URL).query("select payload from outbox where payload->>'eventId' = $1", [eventId])).rows[0].payload;
    const [fromSingle, fromBatch, withoutTarget] = [await payloadOf(single.body.id), await payloadOf(batched.body.ids[0]), await payloadOf(batched.body.ids[1])];
    const { eventId: _a, occurredAt: _b, ...sameAsSingle } = fromSingle;
    expect(fromBatch).toEqual({ ...sameAsSingle, eventId: batched.body.ids[0], occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(fromBatch).toMatchObject({ tenantId: tenantA, organizationId: null, target: { type: 'doc', id: 'd-1' }, data: { n: 7, recordedBy: { type: 'api_key' } } });
    expect(withoutTarget.target).toBeNull();
  });

  it('rejects the whole batch for one bad event, naming its index and field (400), and appends nothing', async () => {
    const before = await countIn(tenantA);
    const bad = await batch([{ action: 'doc.signed', data: { n: 1 } }, { action: 'doc.signed', data: { n: 2 } }, { action: 'doc.signed', data: { n: 'three' } }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('AUDIT_BATCH_INVALID');
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ path: 'events.2.data.n' })]);
    // A malformed event (not just bad data) is named by its index too.
    const malformed = await batch([{ action: 'doc.signed', data: { n: 1 } }, { action: 'doc.signed', outcome: 'maybe', data: { n: 2 } }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['events.1.outcome']);
    const tooMany = await batch(Array.from({ length: 1001 }, (_, n) => ({ action: 'doc.signed', data: { n } })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['events']);
    expect(await countIn(tenantA)).toBe(before);
  });

  it('a retried batch (same idempotency keys) appends nothing twice and answers the same ids', async () => {
    const before = await countIn(tenantA);
    const events = Array.from({ length: 20 }, (_, n) => ({ action: 'doc.signed', data: { n }, idempotencyKey: `order-77-${n}` }));
    const first = await batch(events, { token: keyA });
    expect(first.status).toBe(201);
    const retries = await Promise.all([batch(events, { token: keyA }), batch(events, { token: keyA })]);
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual({ ids: first.body.ids, appended: 0 });
    }
    expect(await countIn(tenantA)).toBe(before + 20);
  });

  it('cannot write into another tenant: not by naming it, not by a tenantId in an event', async () => {
    const beforeB = await countIn(tenantB);
    const beforeA = await countIn(tenantA);
    // A's key naming tenant B: the credential's own tenant wins (as on every call), so it lands in A.
    const named = await batch([{ action: 'doc.signed', data: { n: 1 } }], { token: keyA, tenant: B });
    expect(named.status).toBe(201);
    const [row] = (await sqlClient(api.config.DATABASE_URL).query('select tenant_id from audit_events where id = $1', [named.body.ids[0]])).rows;
    expect(row.tenant_id).toBe(tenantA);
    // A field the API does not take is refused, not dropped: the caller meant something by it.
    const smuggled = await batch([{ action: 'doc.signed', data: { n: 1 }, tenantId: tenantB }], { token: keyA });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['events.0']);
    expect(await countIn(tenantB)).toBe(beforeB);
    expect(await countIn(tenantA)).toBe(beforeA + 1);
  });

  it('is auditLogs.appendMany over tRPC, with the same answers', async () => {
    const client = api.trpc({ token: keyA });
    const ok = await client.auditLogs.appendMany.mutate({ events: [{ action: 'doc.signed', data: { n: 1 }, idempotencyKey: 'trpc-1' }] });
    expect(ok.appended).toBe(1);
    expect(await client.auditLogs.appendMany.mutate({ events: [{ action: 'doc.signed', data: { n: 1 }, idempotencyKey: 'trpc-1' }] })).toEqual({ ids: ok.ids, appended: 0 });
    const error = await client.auditLogs.appendMany.mutate({ events: [{ action: 'doc.unknown', data: {} }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<any>).data).toMatchObject({ httpStatus: 400 });
  });
});
