import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeOfError,
  forkApp,
  record,
  restClient,
  signedInUser,
  sseRealtimeClient,
  startTestApi,
  startTestWorkers,
  statusOfError,
  waitFor,
  wsRealtimeClient,
  type Rest,
  type SignedInUser,
  type TestApi,
} from '../src';

/**
 * Realtime end to end: two api processes (A in this process, B forked) on one PostgreSQL and
 * Redis, the workers (the `events.realtime` consumer publishes), and real tRPC clients — wsLink
 * over /ws and httpSubscriptionLink (SSE) over /trpc.
 */
const T = 'rt';
const OTHER = 'rt-other';
let api: TestApi;
let apiB: { url: string; rest: Rest };
let owner: SignedInUser;
let serverKey: string;
let roleIds: Record<string, string>;

const ok = async (rest: Rest, method: string, path: string, body?: unknown, tenant = T, token?: string) => {
  const res = await rest(method, path, { body, tenant, ...(token ? { token } : {}) });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
};
let seq = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${seq++}`;
const newOrg = (tenant = T, rest: Rest = api.rest) => ok(rest, 'POST', '/v1/orgs', { name: unique('Org'), ownerId: tenant === T ? owner.id : undefined }, tenant).then((b) => b.id as string);

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  const child = await forkApp('api', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: api.config.DATABASE_URL,
    REDIS_URL: api.config.REDIS_URL,
    QUEUE_PREFIX: api.config.QUEUE_PREFIX,
    PLINTO_MASTER_KEY: api.config.PLINTO_MASTER_KEY!,
    PLINTO_BOOTSTRAP_API_KEY: api.config.PLINTO_BOOTSTRAP_API_KEY!,
    // One issuer for both processes, as behind a balancer.
    PUBLIC_URL: api.url,
    AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000',
  });
  apiB = { url: child.ready.url, rest: restClient(child.ready.url, api.platformKey) };
  await ok(api.rest, 'POST', '/v1/tenants', { slug: T, name: T }, undefined);
  await ok(api.rest, 'POST', '/v1/tenants', { slug: OTHER, name: OTHER }, undefined);
  owner = await signedInUser(api, { email: `owner@${T}.test`, tenant: T });
  serverKey = (await ok(api.rest, 'POST', '/v1/api-keys', { name: 'realtime server', role: 'admin' })).key;
  roleIds = Object.fromEntries(((await ok(api.rest, 'GET', '/v1/policies/roles?limit=100')).items as { id: string; name: string }[]).map((r) => [r.name, r.id]));
}, 120_000);

describe('delivery across api processes', () => {
  it('an event caused through api A reaches a WebSocket subscriber on api B, with the webhook payload', async () => {
    const client = wsRealtimeClient(apiB.url, { token: serverKey });
    const received = record(client.trpc.realtime.tenant, { types: ['organization.*'] });
    await received.ready;
    const orgId = await newOrg();
    const event = await waitFor(() => received.events().find((e) => e.type === 'organization.created' && e.organizationId === orgId), 'organization.created on B', 20_000);
    expect(Object.keys(event).sort()).toEqual(['actor', 'data', 'id', 'organizationId', 'target', 'tenantId', 'timestamp', 'type']);
    expect(event).toMatchObject({ type: 'organization.created', organizationId: orgId, actor: { type: 'platform_operator' }, data: { organizationId: orgId } });
    // The type filter holds: nothing but organization.* arrived.
    expect(received.events().every((e) => e.type.startsWith('organization.'))).toBe(true);
    client.close();
  });

  it('an event caused through api B reaches an SSE subscriber on api A', async () => {
    const client = sseRealtimeClient(api.url, { token: serverKey });
    const received = record(client.trpc.realtime.tenant, { types: ['organization.created'] });
    await received.ready;
    const orgId = await newOrg(T, apiB.rest);
    await waitFor(() => received.events().find((e) => e.organizationId === orgId), 'organization.created over SSE', 20_000);
    received.unsubscribe();
  });
});

describe('per-subscriber authorization', () => {
  it("tenant B's events never reach tenant A's subscribers", async () => {
    const client = wsRealtimeClient(api.url, { token: serverKey });
    const received = record(client.trpc.realtime.tenant, { types: ['*'] });
    await received.ready;
    const foreign = await newOrg(OTHER);
    const marker = await newOrg();
    await waitFor(() => received.events().find((e) => e.organizationId === marker), 'the marker event of our own tenant', 20_000);
    const tenantIds = new Set(received.events().map((e) => e.tenantId));
    expect(tenantIds.size).toBe(1);
    expect(received.events().some((e) => e.organizationId === foreign || JSON.stringify(e).includes(foreign))).toBe(false);
    client.close();
  });

  it('a non-member cannot open an organization stream (403), over WebSocket and SSE', async () => {
    const orgId = await newOrg();
    const outsider = await signedInUser(api, { email: `${unique('outsider')}@${T}.test`, tenant: T });
    const ws = wsRealtimeClient(apiB.url, { token: outsider.token });
    const overWs = record(ws.trpc.realtime.organization, { organizationId: orgId });
    const sse = record(sseRealtimeClient(api.url, { token: outsider.token }).trpc.realtime.organization, { organizationId: orgId });
    for (const received of [overWs, sse]) {
      const error = await received.ended;
      expect(statusOfError(error)).toBe(403);
      expect(codeOfError(error)).toBe('FORBIDDEN');
      expect(received.messages).toEqual([]);
    }
    ws.close();
  });

  it('a member receives only the kinds of events its role may read (a viewer gets no invitation events)', async () => {
    const orgId = await newOrg();
    const viewer = await signedInUser(api, { email: `${unique('viewer')}@${T}.test`, tenant: T });
    await ok(api.rest, 'POST', `/v1/orgs/${orgId}/members`, { userId: viewer.id, role: 'viewer' });
    const received = record(wsRealtimeClient(api.url, { token: viewer.token }).trpc.realtime.organization, { organizationId: orgId });
    const ownerView = record(wsRealtimeClient(api.url, { token: owner.token }).trpc.realtime.organization, { organizationId: orgId });
    await Promise.all([received.ready, ownerView.ready]);
    const invitation = await ok(api.rest, 'POST', '/v1/invitations', { organizationId: orgId, email: `${unique('invitee')}@${T}.test` });
    const joiner = await signedInUser(api, { email: `${unique('joiner')}@${T}.test`, tenant: T });
    await ok(api.rest, 'POST', `/v1/orgs/${orgId}/members`, { userId: joiner.id, role: 'member' });
    // The owner sees both; the viewer sees the membership (members:read) but not the invitation (invitations:read).
    await waitFor(() => ownerView.events().find((e) => e.type === 'organization.member.added' && e.data.userId === joiner.id), 'the owner sees the new member', 20_000);
    expect(ownerView.events().some((e) => e.type === 'invitation.created' && e.target?.id === invitation.id)).toBe(true);
    await waitFor(() => received.events().find((e) => e.type === 'organization.member.added' && e.data.userId === joiner.id), 'the viewer sees the new member', 20_000);
    expect(received.events().filter((e) => e.type.startsWith('invitation.'))).toEqual([]);
    // And nothing of another organization.
    expect(received.events().every((e) => e.organizationId === orgId)).toBe(true);
  });

  it('revoking the role that opened a stream ends it (403), on the other api process', async () => {
    const admin = await signedInUser(api, { email: `${unique('admin')}@${T}.test`, tenant: T });
    await ok(api.rest, 'POST', `/v1/policies/roles/${roleIds.admin}/assign`, { userId: admin.id });
    const received = record(sseRealtimeClient(apiB.url, { token: admin.token }).trpc.realtime.tenant, { types: ['*'] });
    await received.ready;
    const before = await newOrg();
    await waitFor(() => received.events().find((e) => e.organizationId === before), 'an event while the role is held', 20_000);
    await ok(api.rest, 'DELETE', `/v1/policies/roles/${roleIds.admin}/unassign?userId=${admin.id}`);
    const error = await received.ended;
    expect(statusOfError(error)).toBe(403);
    const after = await newOrg();
    // A stream that ended receives nothing more; the role's removal was the last thing it was told of (or not even that).
    expect(received.events().some((e) => e.organizationId === after)).toBe(false);
  });
});

describe('the user stream and revocation', () => {
  it("signing out closes the user's socket within a second, with close code 4403, after its session.revoked event", async () => {
    const user = await signedInUser(api, { email: `${unique('leaver')}@${T}.test`, tenant: T });
    const client = wsRealtimeClient(apiB.url, { token: user.token, retryDelayMs: 60_000 });
    const received = record(client.trpc.realtime.user, {});
    await received.ready;
    const signedOutAt = Date.now();
    await ok(api.rest, 'POST', '/v1/auth/sign-out', {}, T, user.token);
    await waitFor(() => client.closes.length > 0, 'the socket closed', 10_000, 5);
    const closedAfterMs = Date.now() - signedOutAt;
    console.log(`realtime: sign-out → socket closed in ${closedAfterMs} ms`);
    expect(client.closes[0]).toBe(4403);
    expect(closedAfterMs).toBeLessThan(1000);
    expect(received.events().map((e) => e.type)).toContain('session.revoked');
    client.close();
  });

  it("a user's stream carries its own events only (another user's role change is not delivered)", async () => {
    const me = await signedInUser(api, { email: `${unique('me')}@${T}.test`, tenant: T });
    const other = await signedInUser(api, { email: `${unique('other')}@${T}.test`, tenant: T });
    const received = record(sseRealtimeClient(api.url, { token: me.token }).trpc.realtime.user, {});
    await received.ready;
    await ok(api.rest, 'POST', `/v1/policies/roles/${roleIds.viewer}/assign`, { userId: other.id });
    await ok(api.rest, 'POST', `/v1/policies/roles/${roleIds.viewer}/assign`, { userId: me.id });
    await waitFor(() => received.events().find((e) => e.type === 'role.assigned'), 'my own role assignment', 20_000);
    expect(received.events().every((e) => e.data.userId === me.id || e.target?.id === me.id)).toBe(true);
    received.unsubscribe();
  });
});

describe('resume by last event id', () => {
  for (const transport of ['ws', 'sse'] as const) {
    it(`a subscriber reconnecting with its last id receives exactly what it missed, in order (${transport})`, async () => {
      const connect = () => (transport === 'ws' ? wsRealtimeClient(api.url, { token: serverKey }) : sseRealtimeClient(api.url, { token: serverKey }));
      const first = connect();
      const live = record(first.trpc.realtime.tenant, { types: ['organization.created'] });
      await live.ready;
      const seen = await newOrg();
      await waitFor(() => live.events().find((e) => e.organizationId === seen), 'the first event', 20_000);
      const lastId = live.messages.at(-1)!.id;
      live.unsubscribe();
      first.close();

      const missed = [await newOrg(), await newOrg(), await newOrg()];
      // Wait until the three are published (a subscriber from the start of the log sees them).
      const probe = record(connect().trpc.realtime.tenant, { types: ['organization.created'], lastEventId: lastId });
      await waitFor(() => probe.events().filter((e) => missed.includes(e.organizationId!)).length === 3, 'the missed events in the log', 20_000);
      probe.unsubscribe();

      const resumed = record(connect().trpc.realtime.tenant, { types: ['organization.created'], lastEventId: lastId });
      await resumed.ready;
      const replayed = resumed.events().map((e) => e.organizationId);
      expect(replayed.filter((id) => missed.includes(id!))).toEqual(missed);
      expect(replayed).not.toContain(seen);
      expect(new Set(replayed).size).toBe(replayed.length);
      resumed.unsubscribe();
    });
  }

  it('a forged last event id is refused (400, naming the field)', async () => {
    const received = record(wsRealtimeClient(api.url, { token: serverKey }).trpc.realtime.tenant, { types: ['*'], lastEventId: '99999999999999-0' });
    const error = await received.ended;
    expect(statusOfError(error)).toBe(400);
    expect(codeOfError(error)).toBe('REALTIME_LAST_EVENT_ID_INVALID');
  });
});
