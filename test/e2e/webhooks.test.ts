import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { Webhook } from 'standardwebhooks';
import type pg from 'pg';
import { fanOutEvent, requeueStuckMessages } from '@plinto/webhooks';
import { sqlClient, startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import type { WorkersRuntime } from '@plinto/workers';
import { startReceiver, type Receiver } from './webhooks.receiver';

let api: TestApi;
let workers: WorkersRuntime;
let sql: pg.Pool;

beforeAll(async () => {
  // Time-scaled schedule: 3 attempts, 50 ms then 100 ms apart. Loopback is allowlisted for receivers.
  api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', WEBHOOK_TIMEOUT: '2s' });
  workers = await startTestWorkers(api.config);
  sql = sqlClient(api.config.DATABASE_URL);
});

let seq = 0;
async function newTenant(): Promise<{ id: string; slug: string }> {
  const slug = `wh-${++seq}-${Math.random().toString(36).slice(2, 7)}`;
  const res = await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } });
  expect(res.status).toBe(201);
  return res.body;
}

async function newEndpoint(tenant: { slug: string }, receiver: Receiver, body: Record<string, unknown> = {}) {
  const res = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: receiver.url, eventTypes: ['tenant.*'], ...body } });
  expect(res.status).toBe(201);
  receiver.secrets = [res.body.secret];
  return res.body as { id: string; secret: string };
}

/** Produces `n` tenant.updated events for the tenant (renames, as the platform operator). */
async function bump(tenant: { id: string }, n: number, tag = 'r'): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: `${tag}-${i}-${Date.now()}` } });
    expect(res.status).toBe(200);
  }
}

const messages = async (tenant: { slug: string }, endpointId: string, query = '') =>
  (await api.rest('GET', `/v1/webhooks/endpoints/${endpointId}/messages?limit=100${query}`, { tenant: tenant.slug })).body.items as any[];

const audit = async (tenantId: string, action: string) =>
  (await sql.query('select * from audit_events where tenant_id = $1 and action = $2 order by id', [tenantId, action])).rows;

describe('webhook endpoints: CRUD over REST and tRPC', () => {
  it('creates (201, secret shown once), reads, lists, updates, deletes — tenant-scoped, audited', async () => {
    const tenant = await newTenant();
    const created = await api.rest('POST', '/v1/webhooks/endpoints', {
      tenant: tenant.slug,
      body: { url: 'http://127.0.0.1:9/hook', description: 'CRM sync', eventTypes: ['user.*', 'organization.member.*'], metadata: { team: 'crm' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenantId: tenant.id,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['organization.member.*', 'user.*'],
      enabled: true,
      metadata: { team: 'crm' },
      health: { status: 'new', consecutiveFailures: 0 },
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const id = created.body.id;

    const viaRest = await api.rest('GET', `/v1/webhooks/endpoints/${id}`, { tenant: tenant.slug });
    expect(viaRest.status).toBe(200);
    expect(viaRest.body).not.toHaveProperty('secret');
    expect(JSON.stringify(viaRest.body)).not.toContain(created.body.secret.slice(6));
    const viaTrpc = await api.trpc({ token: api.platformKey, tenant: tenant.slug }).webhooks.getEndpoint.query({ endpointId: id });
    expect(viaTrpc).toEqual(viaRest.body);

    // The secret is sealed at rest: the database never holds it in the clear.
    const [row] = (await sql.query('select secret_sealed from webhook_endpoints where id = $1', [id])).rows;
    expect(row.secret_sealed).not.toContain(created.body.secret.slice(6));

    const list = await api.rest('GET', '/v1/webhooks/endpoints?limit=10', { tenant: tenant.slug });
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([id]);

    const patched = await api.rest('PATCH', `/v1/webhooks/endpoints/${id}`, { tenant: tenant.slug, body: { enabled: false, eventTypes: ['*'] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, disabledReason: 'manual', eventTypes: ['*'], health: { status: 'disabled' } });

    // Another tenant cannot see, change or delete it: the same 404 as a missing endpoint.
    const other = await newTenant();
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate-secret'], ['POST', '/test'], ['GET', '/messages']] as const) {
      const res = await api.rest(method, `/v1/webhooks/endpoints/${id}${path}`, { tenant: other.slug, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
    }
    expect((await api.rest('GET', '/v1/webhooks/endpoints', { tenant: other.slug })).body.items).toEqual([]);

    const deleted = await api.rest('DELETE', `/v1/webhooks/endpoints/${id}`, { tenant: tenant.slug });
    expect(deleted.status).toBe(200);
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${id}`, { tenant: tenant.slug })).status).toBe(404);
    const actions = (await sql.query('select action from audit_events where tenant_id = $1 and action like $2 order by id', [tenant.id, 'webhook.%'])).rows.map((r) => r.action);
    // (The PATCH recorded two events in one transaction, in the same millisecond: their order is not defined.)
    expect(actions[0]).toBe('webhook.endpoint.created');
    expect(actions.slice(1, 3).sort()).toEqual(['webhook.endpoint.disabled', 'webhook.endpoint.updated']);
    expect(actions[3]).toBe('webhook.endpoint.deleted');
  });

  it('refuses bad input with 400 and field paths, private destinations with WEBHOOK_URL_NOT_ALLOWED, and anonymous callers with 401', async () => {
    const tenant = await newTenant();
    const bad = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: 'ftp://x.test/', eventTypes: ['User.*', 'ok.*'], secret: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['eventTypes.0', 'secret', 'url']);

    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://0xa9fea9fe/', 'http://[::ffff:10.0.0.1]/', 'http://100.64.0.1/', 'https://[fd00::1]/', 'http://user:pw@127.0.0.1/']) {
      const res = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url } });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', fields: [{ path: 'url' }] });
    }
    const trpcError = await api
      .trpc({ token: api.platformKey, tenant: tenant.slug })
      .webhooks.createEndpoint.mutate({ url: 'http://10.0.0.1/' })
      .then(() => null, (e: unknown) => e as TRPCClientError<any>);
    expect(trpcError?.data).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', httpStatus: 400 });

    const anonymous = await api.rest('GET', '/v1/webhooks/endpoints', { token: null, tenant: tenant.slug });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('publishes the event catalog with payload schemas, and the REST paths in the OpenAPI document', async () => {
    const catalog = await api.rest('GET', '/v1/webhooks/event-types', { token: null });
    expect(catalog.status).toBe(200);
    const types = catalog.body.items.map((i: { type: string }) => i.type);
    expect(types).toEqual(expect.arrayContaining(['tenant.created', 'tenant.updated', 'webhook.endpoint.disabled', 'webhook.endpoint.failing', 'webhook.message.dead_lettered']));
    const updated = catalog.body.items.find((i: { type: string }) => i.type === 'tenant.updated');
    expect(updated.dataSchema).toMatchObject({ type: 'object', properties: { changes: { type: 'object' } } });
    expect(catalog.body.payloadSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'type', 'timestamp', 'data']) });

    const doc = (await api.rest('GET', '/openapi.json', { token: null })).body;
    for (const path of [
      '/webhooks/endpoints',
      '/webhooks/endpoints/{endpointId}',
      '/webhooks/endpoints/{endpointId}/rotate-secret',
      '/webhooks/endpoints/{endpointId}/test',
      '/webhooks/endpoints/{endpointId}/messages',
      '/webhooks/endpoints/{endpointId}/recover',
      '/webhooks/messages/{messageId}/replay',
      '/webhooks/dead-letters',
      '/webhooks/event-types',
    ]) {
      expect(Object.keys(doc.paths).some((p) => p.endsWith(path)), path).toBe(true);
    }
  });
});

describe('delivery', () => {
  it('delivers every matching event, signed: 100 % verify with the standardwebhooks library', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const unrelated = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    await newEndpoint(tenant, unrelated, { eventTypes: ['user.*'] });
    const org = await api.rest('POST', '/v1/orgs', { tenant: tenant.slug, body: { name: 'Elsewhere' } });
    expect(org.status).toBe(201);
    await newEndpoint(tenant, unrelated, { eventTypes: ['*'], organizationId: org.body.id });
    // An endpoint can only be scoped to an organization of its tenant.
    const stray = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: unrelated.url, organizationId: '01900000-0000-7000-8000-000000000000' } });
    expect(stray.status).toBe(404);
    expect(stray.body.error).toMatchObject({ code: 'WEBHOOK_ORGANIZATION_NOT_FOUND', fields: [{ path: 'organizationId' }] });

    await bump(tenant, 25);
    await waitFor(() => receiver.uniqueIds().size >= 25, '25 deliveries');
    expect(receiver.deliveries.every((d) => d.verifiedWith.length === 1)).toBe(true);
    expect(receiver.deliveries.every((d) => d.payload.type === 'tenant.updated' && d.payload.tenantId === tenant.id)).toBe(true);
    expect(new Set(receiver.deliveries.map((d) => d.payload.id)).size).toBe(25);

    // The filters held: `user.*` and another organization's endpoint received nothing. No wait
    // needed: an event's fan-out writes the messages of every matching endpoint in one statement,
    // so 25 deliveries above mean all 25 fan-outs are done — a message for these would exist now.
    const unrelatedIds = (await sql.query('select id from webhook_endpoints where tenant_id = $1 and url = $2', [tenant.id, unrelated.url])).rows.map((r) => r.id);
    expect(unrelatedIds).toHaveLength(2);
    expect((await sql.query('select count(*)::int as n from webhook_messages where endpoint_id = any($1::uuid[])', [unrelatedIds])).rows[0].n).toBe(0);
    expect(unrelated.deliveries).toHaveLength(0);

    // webhook-id is the message id; the log shows one successful attempt per message.
    const log = await messages(tenant, endpoint.id);
    expect(log).toHaveLength(25);
    for (const m of log) {
      expect(m).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'event', eventType: 'tenant.updated' });
      expect(m.deliveryAttempts).toMatchObject([{ attempt: 1, status: 'succeeded', responseStatus: 200, responseBody: 'ok' }]);
      expect(receiver.byId(m.id)).toHaveLength(1);
    }
    // The log pages with a cursor, newest first, without repeats or gaps.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.rest(
        'GET',
        `/v1/webhooks/endpoints/${endpoint.id}/messages?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        { tenant: tenant.slug },
      );
      paged.push(...page.body.items.map((m) => m.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(log.map((m) => m.id));
    expect(paged).toEqual([...paged].sort().reverse());

    const health = (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.health;
    expect(health).toMatchObject({ status: 'healthy', failingSince: null, consecutiveFailures: 0 });
    expect(health.lastSuccessAt).not.toBeNull();
  });

  it('fans out idempotently: the same event handled again creates no message and no job', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    await bump(tenant, 1);
    await waitFor(() => receiver.deliveries.length === 1, 'the delivery');
    const [event] = await audit(tenant.id, 'tenant.updated');
    const again = await fanOutEvent(workers.orm.em.fork(), {
      eventId: event.id,
      action: event.action,
      tenantId: event.tenant_id,
      organizationId: null,
      actor: { type: event.actor_type, id: event.actor_id },
      target: { type: 'tenant', id: tenant.id },
      data: event.data,
      occurredAt: event.occurred_at.toISOString(),
    });
    expect(again).toEqual([]);
    expect((await sql.query('select count(*)::int as n from webhook_messages where endpoint_id = $1', [endpoint.id])).rows[0].n).toBe(1);
  });

  it('signs with both secrets during a rotation overlap; a receiver holding only the old secret still verifies', async () => {
    const tenant = await newTenant();
    const oldOnly = await startReceiver();
    const endpoint = await newEndpoint(tenant, oldOnly);
    const oldSecret = endpoint.secret;

    const rotated = await api.rest('POST', `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { tenant: tenant.slug, body: { overlapSeconds: 3600 } });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    oldOnly.secrets = [oldSecret];

    await bump(tenant, 10);
    await waitFor(() => oldOnly.deliveries.length >= 10, 'deliveries during the overlap');
    for (const d of oldOnly.deliveries) {
      expect(d.verifiedWith).toEqual([oldSecret]);
      expect(String(d.headers['webhook-signature']).split(' ')).toHaveLength(2);
      // ...and a receiver that already switched verifies the very same request.
      expect(() => new Webhook(newSecret).verify(d.body, d.headers as Record<string, string>)).not.toThrow();
    }

    // Rotating with no overlap revokes the old secret at once: only the new one signs.
    const revoked = await api.rest('POST', `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { tenant: tenant.slug, body: { overlapSeconds: 0 } });
    const latest = revoked.body.secret as string;
    oldOnly.secrets = [oldSecret, newSecret, latest];
    const before = oldOnly.deliveries.length;
    await bump(tenant, 3, 'after');
    await waitFor(() => oldOnly.deliveries.length >= before + 3, 'deliveries after revocation');
    for (const d of oldOnly.deliveries.slice(before)) expect(d.verifiedWith).toEqual([latest]);
    expect((await audit(tenant.id, 'webhook.endpoint.secret_rotated')).length).toBe(2);
  });

  it('a receiver failing k times then succeeding sees exactly k+1 attempts with one webhook-id', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    const k = 2;
    receiver.respond = (_d, n, res) => (n < k ? res.writeHead(500).end(`boom ${n}`) : res.writeHead(204).end());
    await bump(tenant, 5);
    await waitFor(async () => (await messages(tenant, endpoint.id, '&status=succeeded')).length === 5, '5 messages delivered');
    expect(receiver.uniqueIds().size).toBe(5);
    for (const id of receiver.uniqueIds()) {
      const tries = receiver.byId(id);
      expect(tries).toHaveLength(k + 1);
      expect(tries.every((d) => d.verifiedWith.length === 1)).toBe(true);
      expect(new Set(tries.map((d) => d.body)).size).toBe(1);
    }
    const [m] = await messages(tenant, endpoint.id);
    expect(m.attempts).toBe(k + 1);
    expect(m.deliveryAttempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 500, 204]);
    expect(m.deliveryAttempts[0]).toMatchObject({ status: 'failed', responseBody: 'boom 0' });
    expect(m.deliveryAttempts[0].latencyMs).toBeGreaterThanOrEqual(0);
    const { health } = (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body;
    expect(health.last24h).toEqual({ succeeded: 5, failed: 10 });
    // The endpoint went failing once, then healthy again.
    expect((await audit(tenant.id, 'webhook.endpoint.failing')).length).toBeGreaterThanOrEqual(1);
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.health.status).toBe('healthy');
  });

  it('exhausting the schedule dead-letters the message; replay delivers it with the same webhook-id; recover replays all since a time', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    receiver.respond = (_d, _n, res) => res.writeHead(503).end('down');
    const since = new Date().toISOString();
    await bump(tenant, 3);

    const deadLetters = async () => (await api.rest('GET', `/v1/webhooks/dead-letters?endpointId=${endpoint.id}`, { tenant: tenant.slug })).body.items as any[];
    const dead = await waitFor(async () => ((await deadLetters()).length === 3 ? deadLetters() : null), 'three dead letters');
    for (const m of dead) {
      expect(m).toMatchObject({ status: 'failed', attempts: 3, lastResponseStatus: 503 });
      expect(m.deliveryAttempts).toHaveLength(3);
      expect(receiver.byId(m.id)).toHaveLength(3);
    }
    expect((await audit(tenant.id, 'webhook.message.dead_lettered')).length).toBe(3);
    const health = (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.health;
    expect(health).toMatchObject({ status: 'failing', consecutiveFailures: 9 });
    expect((await audit(tenant.id, 'webhook.endpoint.failing')).length).toBe(1);

    // Replay one: the receiver is back up.
    receiver.respond = (_d, _n, res) => res.writeHead(200).end('ok');
    const target = dead[0];
    // Two concurrent replays of one message: the row lock lets exactly one queue it.
    const racing = await Promise.all([1, 2].map(() => api.rest('POST', `/v1/webhooks/messages/${target.id}/replay`, { tenant: tenant.slug })));
    const replay = racing.find((r) => r.status === 200)!;
    const loser = racing.find((r) => r.status !== 200)!;
    expect(replay.body).toMatchObject({ id: target.id, trigger: 'replay' });
    expect(loser.status).toBe(409);
    expect(loser.body.error.code).toBe('WEBHOOK_MESSAGE_IN_FLIGHT');
    await waitFor(() => receiver.byId(target.id).some((d) => d.verifiedWith.length === 1 && receiver.byId(target.id).length >= 4), 'the replayed delivery');
    // The receiver answers before the attempt is recorded: read the message once it has settled.
    const replayed = await waitFor(async () => {
      const message = (await api.rest('GET', `/v1/webhooks/messages/${target.id}`, { tenant: tenant.slug })).body;
      return message.status === 'succeeded' ? message : null;
    }, 'replayed message settles');
    expect(replayed.deliveryAttempts.at(-1)).toMatchObject({ trigger: 'replay' });
    expect((await deadLetters()).length).toBe(2);

    // Recover: every other failure since `since` goes out again.
    const recovered = await api.rest('POST', `/v1/webhooks/endpoints/${endpoint.id}/recover`, { tenant: tenant.slug, body: { since } });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toEqual({ count: 2 });
    await waitFor(async () => (await messages(tenant, endpoint.id, '&status=succeeded')).length === 3, 'all three delivered');
    expect(await deadLetters()).toEqual([]);
    for (const m of dead) expect(receiver.byId(m.id).at(-1)!.verifiedWith).toHaveLength(1);
    expect((await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.health.status).toBe('healthy');

    // Another tenant can neither see nor replay them.
    const other = await newTenant();
    const foreign = await api.rest('POST', `/v1/webhooks/messages/${target.id}/replay`, { tenant: other.slug });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('WEBHOOK_MESSAGE_NOT_FOUND');
  });

  it('honours Retry-After over the schedule', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    await newEndpoint(tenant, receiver);
    receiver.respond = (_d, n, res) => (n === 0 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end());
    await bump(tenant, 1);
    await waitFor(() => receiver.deliveries.length === 2, 'the retry', 15_000);
    const [first, second] = receiver.deliveries;
    expect(second!.id).toBe(first!.id);
    // The schedule alone would retry after ~50 ms; the receiver asked for 1 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('410 Gone disables the endpoint (event emitted); redirects are never followed', async () => {
    const tenant = await newTenant();
    const gone = await startReceiver();
    const endpoint = await newEndpoint(tenant, gone);
    gone.respond = (_d, _n, res) => res.writeHead(410).end();
    await bump(tenant, 1);
    await waitFor(async () => (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.enabled === false, 'disabled');
    const disabled = (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'gone', health: { status: 'disabled' } });
    expect(gone.deliveries).toHaveLength(1);
    const [event] = await audit(tenant.id, 'webhook.endpoint.disabled');
    expect(event.data).toMatchObject({ reason: 'gone', endpointId: endpoint.id });
    // A witness endpoint receives the later events: once it has both, their fan-out is done (all
    // of an event's messages are written in one statement) and the disabled endpoint got none.
    const witness = await startReceiver();
    await newEndpoint(tenant, witness);
    await bump(tenant, 2, 'later');
    await waitFor(() => witness.uniqueIds().size === 2, 'the witness to receive both later events');
    expect((await sql.query('select count(*)::int as n from webhook_messages where endpoint_id = $1', [endpoint.id])).rows[0].n).toBe(1);
    expect(gone.deliveries).toHaveLength(1);
    const test = await api.rest('POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, { tenant: tenant.slug, body: {} });
    expect(test.status).toBe(409);
    expect(test.body.error.code).toBe('WEBHOOK_ENDPOINT_DISABLED');

    const tenant2 = await newTenant();
    const target = await startReceiver();
    const redirecting = await startReceiver();
    const endpoint2 = await newEndpoint(tenant2, redirecting);
    redirecting.respond = (_d, _n, res) => res.writeHead(307, { location: target.url }).end();
    await bump(tenant2, 1);
    await waitFor(async () => (await messages(tenant2, endpoint2.id, '&status=failed')).length === 1, 'dead letter');
    expect(redirecting.deliveries).toHaveLength(3);
    expect(target.deliveries).toHaveLength(0);
    expect((await messages(tenant2, endpoint2.id))[0].deliveryAttempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([307, 307, 307]);
  });

  it('disables an endpoint that has failed continuously for WEBHOOK_DISABLE_AFTER', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    receiver.respond = (_d, _n, res) => res.writeHead(500).end();
    // The endpoint has (by its record) been failing for six days; the default limit is five.
    await sql.query(`update webhook_endpoints set failing_since = now() - interval '6 days' where id = $1`, [endpoint.id]);
    await bump(tenant, 1);
    await waitFor(async () => (await api.rest('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug })).body.enabled === false, 'disabled');
    const [event] = await audit(tenant.id, 'webhook.endpoint.disabled');
    expect(event.data).toMatchObject({ reason: 'failing', endpointId: endpoint.id });
    expect(event.actor_type).toBe('system');
    // Re-enabling starts over.
    const enabled = await api.rest('PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { tenant: tenant.slug, body: { enabled: true } });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, health: { failingSince: null, consecutiveFailures: 0 } });
  });

  it('test send delivers a signed webhook.test message; any past message can be replayed', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    const sent = await api.rest('POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, { tenant: tenant.slug, body: { data: { hello: 'world' } } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ eventType: 'webhook.test', trigger: 'test', eventId: null, payload: { type: 'webhook.test', data: { hello: 'world' } } });
    await waitFor(() => receiver.deliveries.length === 1, 'test delivery');
    expect(receiver.deliveries[0]).toMatchObject({ id: sent.body.id, verifiedWith: [endpoint.secret], payload: { type: 'webhook.test' } });

    await waitFor(async () => (await api.rest('GET', `/v1/webhooks/messages/${sent.body.id}`, { tenant: tenant.slug })).body.status === 'succeeded', 'settled');
    const replay = await api.rest('POST', `/v1/webhooks/messages/${sent.body.id}/replay`, { tenant: tenant.slug });
    expect(replay.status).toBe(200);
    await waitFor(() => receiver.deliveries.length === 2, 'replayed delivery');
    expect(receiver.deliveries[1]!.id).toBe(sent.body.id);
    expect(receiver.deliveries[1]!.body).toBe(receiver.deliveries[0]!.body);
  });

  it('a message whose job was lost is requeued by the maintenance sweep and delivered', async () => {
    const tenant = await newTenant();
    const receiver = await startReceiver();
    const endpoint = await newEndpoint(tenant, receiver);
    // A message left open an hour ago with no job anywhere (as if Redis had lost it).
    const id = '01900000-0000-7000-8000-00000000abcd';
    const body = JSON.stringify({ id, type: 'tenant.updated', timestamp: new Date().toISOString(), data: {} });
    await sql.query(
      `insert into webhook_messages (id, tenant_id, endpoint_id, event_id, event_type, body, status, trigger, next_attempt_at, created_at)
       values ($1, $2, $3, $1, 'tenant.updated', $4, 'pending', 'event', now() - interval '1 hour', now() - interval '1 hour')`,
      [id, tenant.id, endpoint.id, body],
    );
    // An open message cannot be replayed on top of itself.
    const inFlight = await api.rest('POST', `/v1/webhooks/messages/${id}/replay`, { tenant: tenant.slug });
    expect(inFlight.status).toBe(409);
    expect(inFlight.body.error.code).toBe('WEBHOOK_MESSAGE_IN_FLIGHT');
    expect(await requeueStuckMessages(workers.orm.em.fork(), 15 * 60_000)).toEqual({ requeued: 1 });
    await waitFor(() => receiver.deliveries.length === 1, 'the requeued delivery');
    expect(receiver.deliveries[0]).toMatchObject({ id, body, verifiedWith: [endpoint.secret] });
    expect(await requeueStuckMessages(workers.orm.em.fork(), 15 * 60_000)).toEqual({ requeued: 0 });
  });
});
