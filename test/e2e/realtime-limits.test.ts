import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRedis } from '@plinto/kernel';
import { publishEvent } from '@plinto/realtime';
import {
  codeOfError,
  onCleanup,
  record,
  signedInUser,
  sseRealtimeClient,
  startTestApi,
  startTestWorkers,
  statusOfError,
  waitFor,
  wsRealtimeClient,
  type SignedInUser,
  type TestApi,
} from '../src';

/**
 * The realtime endpoints' guards: browser origins, connections per principal, subscriptions per
 * connection, slow consumers, token expiry, and the drain on shutdown — each by doing it.
 */
const T = 'rt-limits';
const ALLOWED = 'http://app.allowed.test';
let api: TestApi;
let tenantId: string;
let serverKey: string;

beforeAll(async () => {
  api = await startTestApi({
    AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000',
    REALTIME_ALLOWED_ORIGINS: ALLOWED,
    REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: '2',
    REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
    REALTIME_SEND_BUFFER_BYTES: String(256 * 1024),
    // The shortest access tokens the server issues, so one expires during the test.
    AUTH_ACCESS_TOKEN_TTL_SECONDS: '30',
  });
  await startTestWorkers(api.config);
  tenantId = (await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).body.id;
  const key = await api.rest('POST', '/v1/api-keys', { tenant: T, body: { name: 'server', role: 'admin' } });
  expect(key.status).toBe(201);
  serverKey = key.body.key;
}, 120_000);

/** Opens a raw WebSocket to /ws with an Origin; resolves 'open' or the refusal's HTTP status. */
function openWith(origin: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { origin } });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

describe('browser origins', () => {
  it('a WebSocket from an origin outside the allowlist is refused before the upgrade (403); an allowed one opens', async () => {
    expect(await openWith('http://evil.test')).toBe(403);
    expect(await openWith(ALLOWED)).toBe('open');
  });

  it('an SSE subscription from an origin outside the allowlist is refused (403); an allowed one gets CORS headers', async () => {
    const url = `${api.url}/trpc/realtime.tenant?input=${encodeURIComponent(JSON.stringify({ json: { types: ['*'] } }))}`;
    const refused = await fetch(url, { headers: { accept: 'text/event-stream', origin: 'http://evil.test', authorization: `Bearer ${serverKey}` } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('REALTIME_ORIGIN_REFUSED');
    const controller = new AbortController();
    const allowed = await fetch(url, { headers: { accept: 'text/event-stream', origin: ALLOWED, authorization: `Bearer ${serverKey}` }, signal: controller.signal });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    controller.abort();
  });
});

describe('limits', () => {
  it('a principal gets at most REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL connections; the next is closed with 4429', async () => {
    const user = await signedInUser(api, { email: 'many@limits.test', tenant: T });
    const clients = [0, 1].map(() => wsRealtimeClient(api.url, { token: user.token }));
    for (const client of clients) await record(client.trpc.realtime.user, {}).ready;
    const third = wsRealtimeClient(api.url, { token: user.token, retryDelayMs: 60_000 });
    record(third.trpc.realtime.user, {});
    await waitFor(() => third.closes.length > 0, 'the third connection closed');
    expect(third.closes[0]).toBe(4429);
    // Once one closes, a new one is accepted.
    clients[0]!.close();
    await waitFor(async () => {
      const again = wsRealtimeClient(api.url, { token: user.token, retryDelayMs: 60_000 });
      const received = record(again.trpc.realtime.user, {});
      const outcome = await Promise.race([received.ready.then(() => true), received.ended.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
      again.close();
      return outcome;
    }, 'a connection accepted after one closed');
    clients[1]!.close();
    third.close();
  });

  it('a connection holds at most REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions (429 beyond)', async () => {
    const client = wsRealtimeClient(api.url, { token: serverKey });
    const open = [record(client.trpc.realtime.tenant, { types: ['a.*'] }), record(client.trpc.realtime.tenant, { types: ['b.*'] })];
    await Promise.all(open.map((s) => s.ready));
    const third = record(client.trpc.realtime.tenant, { types: ['c.*'] });
    const error = await third.ended;
    expect(statusOfError(error)).toBe(429);
    expect(codeOfError(error)).toBe('REALTIME_TOO_MANY_SUBSCRIPTIONS');
    // The two others live on.
    open[0]!.unsubscribe();
    const fourth = record(client.trpc.realtime.tenant, { types: ['d.*'] });
    await fourth.ready;
    client.close();
  });

  it('a subscriber that stops reading is dropped with 4408 once its send buffer is full; another subscriber receives every event', async () => {
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const slow = wsRealtimeClient(api.url, { token: serverKey, retryDelayMs: 60_000, WebSocket: Recorded });
    await record(slow.trpc.realtime.tenant, { types: ['load.*'] }).ready;
    const fast = record(wsRealtimeClient(api.url, { token: serverKey }).trpc.realtime.tenant, { types: ['load.*'] });
    await fast.ready;
    // The slow client stops reading its socket: what the server sends piles up in its buffers.
    const slowSocket = sockets[0]!;
    (slowSocket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const redis = createRedis(api.config.REDIS_URL, 'worker', 'test-load');
    onCleanup(async () => redis.disconnect());
    const big = 'x'.repeat(100_000);
    const COUNT = 120; // 12 MB: more than loopback TCP buffers plus the 256 KB send buffer
    for (let i = 0; i < COUNT; i++) {
      await publishEvent(redis, api.config.QUEUE_PREFIX, { historyLength: 10_000, historySeconds: 600 }, {
        eventId: crypto.randomUUID(),
        action: 'load.test',
        tenantId,
        organizationId: null,
        actor: { type: 'system', id: null },
        target: null,
        data: { i, big },
        occurredAt: new Date().toISOString(),
      });
    }
    await waitFor(() => fast.events().length === COUNT, 'every event at the fast subscriber', 30_000);
    expect(fast.events().map((e) => e.data.i)).toEqual([...Array(COUNT).keys()]);
    (slowSocket as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitFor(() => slow.closes.length > 0, 'the slow subscriber dropped', 30_000);
    expect(slow.closes[0]).toBe(4408);
    slow.close();
  });
});

describe('token expiry', () => {
  let user: SignedInUser;
  it('a connection whose access token expires without renewal is closed with 4402 within a second of its expiry', { timeout: 90_000 }, async () => {
    user = await signedInUser(api, { email: 'expiring@limits.test', tenant: T });
    const exp = (JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
    const client = wsRealtimeClient(api.url, { token: user.token, retryDelayMs: 60_000 });
    const sse = record(sseRealtimeClient(api.url, { token: user.token }).trpc.realtime.user, {});
    await record(client.trpc.realtime.user, {}).ready;
    await sse.ready;
    await waitFor(() => client.closes.length > 0, 'the socket closed at expiry', 60_000, 5);
    const lateMs = Date.now() - exp;
    console.log(`realtime: token expiry → socket closed ${lateMs} ms after exp`);
    expect(client.closes[0]).toBe(4402);
    expect(lateMs).toBeGreaterThanOrEqual(-50);
    expect(lateMs).toBeLessThan(1000);
    // Over SSE the stream ends with the matching error.
    const error = await sse.ended;
    expect(codeOfError(error)).toBe('REALTIME_TOKEN_EXPIRED');
    client.close();
  });
});

describe('graceful drain', () => {
  it('on shutdown every WebSocket client is told to reconnect elsewhere (1012)', async () => {
    const client = wsRealtimeClient(api.url, { token: serverKey, retryDelayMs: 60_000 });
    await record(client.trpc.realtime.tenant, { types: ['*'] }).ready;
    await api.close();
    await waitFor(() => client.closes.length > 0, 'the socket closed on drain');
    expect(client.closes[0]).toBe(1012);
    client.close();
  });
});
