import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRedis } from '@plinto/kernel';
import { publishEvent } from '@plinto/realtime';
import { onCleanup, record, signedInUser, sseRealtimeClient, startTestApi, startTestWorkers, waitFor, wsRealtimeClient, type Received, type SignedInUser, type TestApi } from '../src';

/**
 * The WebSocket fast path (modules/realtime/src/live.ts): once a subscription is caught up, the
 * hub writes its live events as frames encoded once per event and decided once per audience. A
 * client must not be able to tell: the frames are the bytes tRPC's own encoding writes, stock
 * wsLink and httpSubscriptionLink clients receive the same messages, and every subscriber still
 * gets only what the engine lets its own credential see.
 */
const T = 'rt-fast';
let api: TestApi;
let tenantId: string;
let serverKey: string;
let owner: SignedInUser;

beforeAll(async () => {
  // A short safety-net interval, so a revoked API key's sockets close during the test.
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000', REALTIME_RECHECK_MS: '500' });
  await startTestWorkers(api.config);
  const tenant = await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } });
  expect(tenant.status).toBe(201);
  tenantId = tenant.body.id;
  serverKey = (await api.rest('POST', '/v1/api-keys', { tenant: T, body: { name: 'server', role: 'admin' } })).body.key;
  owner = await signedInUser(api, { email: `owner@${T}.test`, tenant: T });
}, 120_000);

const redis = () => {
  const connection = createRedis(api.config.REDIS_URL, 'worker', 'test-fastpath');
  onCleanup(async () => connection.disconnect());
  return connection;
};

/** Publishes an event as the workers' realtime publisher does (log + bus, one script); returns its resumable id. */
async function publish(bus: ReturnType<typeof redis>, action: string, fields: { organizationId?: string | null; data?: Record<string, unknown> } = {}): Promise<string> {
  const id = await publishEvent(bus, api.config.QUEUE_PREFIX, { historyLength: 10_000, historySeconds: 600 }, {
    eventId: crypto.randomUUID(),
    action,
    tenantId,
    organizationId: fields.organizationId ?? null,
    actor: { type: 'system', id: null },
    target: null,
    data: fields.data ?? {},
    occurredAt: new Date().toISOString(),
  });
  expect(id).toBeTruthy();
  return id!;
}

/** The subscriptions this api process currently serves on the fast path. */
async function liveSubscriptions(): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return Number(/^plinto_realtime_live_subscriptions (\d+)/m.exec(text)?.[1] ?? 0);
}

/** A WebSocket speaking tRPC's wire protocol by hand, keeping every text frame exactly as received. */
function rawSubscriber(input: Record<string, unknown>) {
  const frames: string[] = [];
  const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws?connectionParams=1`);
  onCleanup(async () => ws.terminate());
  ws.on('open', () => {
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: serverKey } }));
    ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'realtime.tenant', input: { json: input } } }));
  });
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    frames.push(data.toString());
  });
  const messageOf = (frame: string) => (JSON.parse(frame) as { result?: { data?: { json?: { data?: { id: string; kind: string } } } } }).result?.data?.json?.data;
  return {
    frames,
    ready: () => waitFor(() => frames.map(messageOf).find((m) => m?.kind === 'ready'), 'ready over the raw socket', 20_000),
    frameOf: (eventId: string) => frames.find((f) => messageOf(f)?.kind === 'event' && messageOf(f)?.id === eventId),
  };
}

describe('the fast path is invisible to clients', () => {
  it('a live frame is byte-identical to the one tRPC writes through the loop; wsLink and httpSubscriptionLink clients get the same message', async () => {
    const bus = redis();
    const before = await liveSubscriptions();
    const live = rawSubscriber({ types: ['fast.*'] });
    const ready = await live.ready();
    const wsClient = wsRealtimeClient(api.url, { token: serverKey });
    onCleanup(async () => wsClient.close());
    const overWs = record(wsClient.trpc.realtime.tenant, { types: ['fast.*'] });
    const overSse = record(sseRealtimeClient(api.url, { token: serverKey }).trpc.realtime.tenant, { types: ['fast.*'] });
    onCleanup(async () => overSse.unsubscribe());
    await Promise.all([overWs.ready, overSse.ready]);
    // Both WebSocket subscriptions are on the fast path before the event is published (SSE never is).
    await waitFor(async () => (await liveSubscriptions()) >= before + 2, 'both WebSocket subscriptions on the fast path', 10_000);

    const eventId = await publish(bus, 'fast.pinged', { data: { text: 'é ✓ "quoted" \u2028', n: 1.5, nested: { list: [1, null, true] } } });
    const liveFrame = await waitFor(() => live.frameOf(eventId), 'the live frame', 20_000);
    // The same event through the loop: a subscription resuming from before it catches up through tRPC's own encoding.
    const resumed = rawSubscriber({ types: ['fast.*'], lastEventId: ready.id });
    const loopFrame = await waitFor(() => resumed.frameOf(eventId), 'the caught-up frame', 20_000);
    expect(liveFrame).toBe(loopFrame);

    const fromWs = await waitFor(() => overWs.messages.find((m) => m.id === eventId), 'the event over wsLink', 20_000);
    const fromSse = await waitFor(() => overSse.messages.find((m) => m.id === eventId), 'the event over SSE', 20_000);
    expect(fromWs).toEqual(fromSse);
    expect(fromWs).toEqual(JSON.parse(liveFrame).result.data.json.data);
    expect(fromWs).toMatchObject({ kind: 'event', event: { type: 'fast.pinged', tenantId, data: { text: 'é ✓ "quoted" \u2028', n: 1.5 } } });
  });
});

describe('one decision per audience, still per subscriber', () => {
  it('a viewer (two sockets) gets no invitation event while the owner (two sockets) does; both get what both may read', async () => {
    const bus = redis();
    const org = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: `Fast ${Date.now()}`, ownerId: owner.id } });
    expect(org.status).toBe(201);
    const organizationId = org.body.id as string;
    const viewer = await signedInUser(api, { email: `viewer-${Date.now()}@${T}.test`, tenant: T });
    expect((await api.rest('POST', `/v1/orgs/${organizationId}/members`, { tenant: T, body: { userId: viewer.id, role: 'viewer' } })).status).toBeLessThan(300);

    const before = await liveSubscriptions();
    const subscribe = (token: string): Received => {
      const client = wsRealtimeClient(api.url, { token });
      onCleanup(async () => client.close());
      return record(client.trpc.realtime.organization, { organizationId });
    };
    const viewers = [subscribe(viewer.token), subscribe(viewer.token)];
    const owners = [subscribe(owner.token), subscribe(owner.token)];
    await Promise.all([...viewers, ...owners].map((s) => s.ready));
    await waitFor(async () => (await liveSubscriptions()) >= before + 4, 'the four subscriptions on the fast path', 10_000);

    // invitations:read — the owner holds it, a viewer does not; then members:read, which both hold.
    const secret = await publish(bus, 'invitation.created', { organizationId, data: { email: 'someone@fast.test' } });
    const shared = await publish(bus, 'organization.member.added', { organizationId, data: { userId: viewer.id } });
    // Another organization's event: nobody here sees it.
    const foreign = await publish(bus, 'organization.member.added', { organizationId: crypto.randomUUID(), data: {} });
    const marker = await publish(bus, 'organization.updated', { organizationId });
    for (const s of [...viewers, ...owners]) await waitFor(() => s.messages.find((m) => m.id === marker), 'the marker event', 20_000);

    // Only the events published here: the spine's own (the viewer's member.added above) may arrive late, under load.
    const ours = new Set([secret, shared, foreign, marker]);
    const ids = (s: Received) => s.messages.filter((m) => m.kind === 'event' && ours.has(m.id)).map((m) => m.id);
    for (const s of owners) expect(ids(s)).toEqual([secret, shared, marker]);
    for (const s of viewers) expect(ids(s)).toEqual([shared, marker]);
    expect([...viewers, ...owners].some((s) => ids(s).includes(foreign))).toBe(false);
  });
});

describe('the safety net checks each credential once', () => {
  it('revoking an API key closes every socket holding it (4403), checked once for the group; another credential is not touched', async () => {
    const created = await api.rest('POST', '/v1/api-keys', { tenant: T, body: { name: 'to revoke', role: 'admin' } });
    expect(created.status).toBe(201);
    const clients = [0, 1, 2].map(() => wsRealtimeClient(api.url, { token: created.body.key, retryDelayMs: 60_000 }));
    for (const client of clients) onCleanup(async () => client.close());
    const streams = clients.map((client) => record(client.trpc.realtime.tenant, { types: ['*'] }));
    await Promise.all(streams.map((s) => s.ready));
    // Another credential's socket is not touched by this key's revocation.
    const bystander = wsRealtimeClient(api.url, { token: serverKey, retryDelayMs: 60_000 });
    onCleanup(async () => bystander.close());
    const watching = record(bystander.trpc.realtime.tenant, { types: ['after.*'] });
    await watching.ready;

    expect((await api.rest('DELETE', `/v1/api-keys/${created.body.id}`, { tenant: T })).status).toBe(200);
    await waitFor(() => clients.every((c) => c.closes.length > 0), 'every socket of the revoked key closed', 20_000);
    for (const client of clients) expect(client.closes[0]).toBe(4403);
    const after = await publish(redis(), 'after.revocation');
    await waitFor(() => watching.messages.find((m) => m.id === after), 'the bystander still served', 20_000);
    expect(bystander.closes).toEqual([]);
  });
});
