import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { signedInUser, startTestApi, startTestWorkers, waitFor, type SignedInUser, type TestApi } from '../src';
import { gql } from './graphql.support';

/**
 * GraphQL subscriptions from the realtime bus, with a real `graphql-ws` client over WebSocket and
 * plain fetch over SSE: an organization event caused over REST arrives; nothing of another tenant
 * does; the stream is authorized per subscriber as the tRPC subscriptions are.
 */
let api: TestApi;
const T = 'gql-subs';
const OTHER = 'gql-subs-other';
let owner: SignedInUser;
let outsider: SignedInUser;
let orgId: string;
let otherOrgId: string;
let adminKey: string;

interface Message {
  id: string;
  kind: string;
  event: { type: string; tenantId: string; organizationId: string | null; data: Record<string, unknown> } | null;
}

const ok = async (method: string, path: string, body: unknown, tenant: string) => {
  const res = await api.rest(method, path, { tenant, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
};

function wsClient(token: string, closes: number[] = []): Client {
  return createClient({
    url: `${api.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { token },
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
}

/** Subscribes and records every message (and the error that ended it, if any). */
function record(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const messages: Message[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<{ [field: string]: Message }>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) messages.push(Object.values(result.data)[0]!);
      },
      error: (error) => void errors.push(error),
      complete: () => undefined,
    },
  );
  return { messages, errors, stop, events: () => messages.filter((m) => m.kind === 'event').map((m) => m.event!) };
}

const SELECTION = '{ id kind event { type tenantId organizationId data } }';

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  await ok('POST', '/v1/tenants', { slug: T, name: T }, T);
  await ok('POST', '/v1/tenants', { slug: OTHER, name: OTHER }, OTHER);
  owner = await signedInUser(api, { email: `owner@${T}.test`, tenant: T });
  outsider = await signedInUser(api, { email: `outsider@${OTHER}.test`, tenant: OTHER });
  orgId = (await ok('POST', '/v1/orgs', { name: 'Subscribed', ownerId: owner.id }, T)).id;
  otherOrgId = (await ok('POST', '/v1/orgs', { name: 'Elsewhere', ownerId: outsider.id }, OTHER)).id;
  adminKey = (await ok('POST', '/v1/api-keys', { name: 'listener', role: 'admin' }, T)).key;
}, 120_000);

describe('GraphQL subscriptions over graphql-ws', () => {
  it("an organization event caused over REST reaches the organization's subscriber", async () => {
    const client = wsClient(owner.token);
    const sub = record(client, `subscription($orgId: String!) { organizationEvents(organizationId: $orgId) ${SELECTION} }`, { orgId });
    await waitFor(() => sub.messages.find((m) => m.kind === 'ready') ?? (sub.errors.length ? Promise.reject(new Error(JSON.stringify(sub.errors))) : undefined), 'ready', 20_000);
    const newcomer = await signedInUser(api, { email: `newcomer@${T}.test`, tenant: T });
    await ok('POST', `/v1/orgs/${orgId}/members`, { userId: newcomer.id, role: 'member' }, T);
    const event = await waitFor(() => sub.events().find((e) => e.type === 'organization.member.added' && e.data.userId === newcomer.id), 'organization.member.added', 20_000);
    expect(event).toMatchObject({ organizationId: orgId, tenantId: expect.any(String) });
    sub.stop();
    await client.dispose();
  });

  it("a tenant stream receives nothing of another tenant's events", async () => {
    const client = wsClient(adminKey);
    const sub = record(client, `subscription { tenantEvents(types: ["organization.*"]) ${SELECTION} }`);
    await waitFor(() => sub.messages.find((m) => m.kind === 'ready'), 'ready', 20_000);
    // Events in the other tenant first, then one in ours: once ours arrived, theirs would have too.
    await ok('POST', '/v1/orgs', { name: 'Noise 1' }, OTHER);
    await ok('PATCH', `/v1/orgs/${otherOrgId}`, { name: 'Elsewhere renamed' }, OTHER);
    const sentinel = (await ok('POST', '/v1/orgs', { name: 'Sentinel' }, T)).id;
    await waitFor(() => sub.events().find((e) => e.organizationId === sentinel), 'our own event', 20_000);
    const tenantId = sub.events().find((e) => e.organizationId === sentinel)!.tenantId;
    expect(sub.events().filter((e) => e.tenantId !== tenantId)).toEqual([]);
    expect(sub.events().some((e) => e.organizationId === otherOrgId)).toBe(false);
    sub.stop();
    await client.dispose();
  });

  it("another tenant's organization, a missing permission and a bad credential are refused", async () => {
    const client = wsClient(owner.token);
    const foreign = record(client, `subscription($orgId: String!) { organizationEvents(organizationId: $orgId) ${SELECTION} }`, { orgId: otherOrgId });
    await waitFor(() => foreign.errors[0], 'refusal', 20_000);
    expect(JSON.stringify(foreign.errors[0])).toMatch(/"status":40[34]/);
    expect(foreign.messages).toEqual([]);
    // The tenant stream needs events:subscribe, which a plain user does not hold.
    const tenantWide = record(client, `subscription { tenantEvents ${SELECTION} }`);
    await waitFor(() => tenantWide.errors[0], 'refusal', 20_000);
    expect(JSON.stringify(tenantWide.errors[0])).toMatch(/"code":"FORBIDDEN"/);
    await client.dispose();

    const closes: number[] = [];
    const forged = wsClient('not-a-valid-token', closes);
    const refused = record(forged, `subscription { userEvents ${SELECTION} }`);
    await waitFor(() => closes[0], 'close', 20_000);
    expect(closes[0]).toBe(4401);
    expect(refused.messages).toEqual([]);
  });

  it('queries and mutations run over the same socket', async () => {
    const client = wsClient(owner.token);
    const result = await new Promise<unknown>((resolve, reject) => {
      client.subscribe({ query: `{ orgsGet(orgId: "${orgId}") { id name } }` }, { next: (r) => resolve(r), error: reject, complete: () => undefined });
    });
    expect(result).toEqual({ data: { orgsGet: { id: orgId, name: 'Subscribed' } } });
    // The limits hold over the socket too, with the same codes.
    const refusal = await new Promise<unknown>((resolve) => {
      const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ');
      client.subscribe({ query: `{ ${aliases} }` }, { next: resolve, error: resolve, complete: () => undefined });
    });
    expect(JSON.stringify(refusal)).toContain('"code":"GRAPHQL_ALIAS_LIMIT"');
    await client.dispose();
  });
});

describe('GraphQL subscriptions over SSE', () => {
  it('an organization event arrives as a server-sent event', async () => {
    const abort = new AbortController();
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ query: `subscription($orgId: String!) { organizationEvents(organizationId: $orgId) ${SELECTION} }`, variables: { orgId } }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const messages: Message[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data:'))?.slice(5).trim();
          if (data) {
            const parsed = JSON.parse(data) as { data?: { organizationEvents: Message } };
            if (parsed.data) messages.push(parsed.data.organizationEvents);
          }
        }
      }
    })().catch(() => undefined);
    await waitFor(() => messages.find((m) => m.kind === 'ready'), 'ready over SSE', 20_000);
    await ok('PATCH', `/v1/orgs/${orgId}`, { name: 'Subscribed (renamed)' }, T);
    const event = await waitFor(() => messages.find((m) => m.event?.type === 'organization.updated')?.event, 'organization.updated over SSE', 20_000);
    expect(event.organizationId).toBe(orgId);
    abort.abort();
    await pump;
    // A plain POST without the stream still answers queries.
    expect((await gql(api, `{ orgsGet(orgId: "${orgId}") { name } }`, { token: owner.token })).data.orgsGet.name).toBe('Subscribed (renamed)');
  });
});
