import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntrospectionRevocationCheck, createRevocationFeed, plintoEdgeMiddleware, type RevocationFeed } from '@plinto/sdk/edge';
import { startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import { signedInUser } from '../src/users';

/**
 * Revocation push for the edge middleware (@plinto/sdk/edge, in Node — the Next.js/Vercel edge
 * middleware): a realtime tenant stream (SSE) filtered to revocation events feeds the verifier's
 * revoked set, so a session revoked through REST is refused as soon as its event arrives — no
 * introspection round trip. Introspection stays the fallback while the feed is not live.
 */
const T = 'sdk-edge-feed';
let api: TestApi;
let client: { clientId: string; clientSecret: string };
const feeds: RevocationFeed[] = [];

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  await startTestWorkers(api.config);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: T } })).status).toBe(201);
  // The feed's machine client holds events:subscribe (admins' permission).
  const created = await api.rest('POST', '/v1/clients', { tenant: T, body: { name: 'edge revocation feed', roles: ['admin'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  client = { clientId: created.body.clientId, clientSecret: created.body.clientSecret };
}, 120_000);
afterAll(() => {
  for (const feed of feeds) feed.close();
});

const middlewareWith = (feed: RevocationFeed) => plintoEdgeMiddleware({ publicUrl: api.config.PUBLIC_URL, audience: api.config.PUBLIC_URL, tenants: [T], revocation: feed.check });
const statusOf = async (middleware: ReturnType<typeof plintoEdgeMiddleware>, token: string) =>
  (await middleware(new Request('http://app.test/private', { headers: { authorization: `Bearer ${token}` } })))?.status ?? 200;

describe('the revocation feed (realtime tenant stream over SSE)', () => {
  it('refuses a session revoked through REST as soon as its event arrives (no fallback configured)', async () => {
    const feed = createRevocationFeed({ publicUrl: api.config.PUBLIC_URL, tenant: T, client });
    feeds.push(feed);
    await feed.start();
    expect(feed.live).toBe(true);
    const middleware = middlewareWith(feed);
    const ada = await signedInUser(api, { email: 'ada@example.com', tenant: T });
    const bob = await signedInUser(api, { email: 'bob@example.com', tenant: T });
    expect(await statusOf(middleware, ada.token)).toBe(200);
    expect(await statusOf(middleware, bob.token)).toBe(200);

    expect((await api.rest('POST', '/v1/auth/sign-out', { token: ada.token, body: {} })).status).toBe(200);
    const revokedAt = performance.now();
    await waitFor(async () => (await statusOf(middleware, ada.token)) === 401, 'the edge refuses the revoked session', 20_000, 10);
    // Measured, not asserted (a busy machine): README states the figure.
    console.log(`revocation feed: refused ${(performance.now() - revokedAt).toFixed(0)} ms after the sign-out answered`);
    // Nothing else was refused, and the refusal came from the pushed event (there is no fallback).
    expect(await statusOf(middleware, bob.token)).toBe(200);
    expect(feed.lastEventId).not.toBeNull();
  });

  it('refuses every token of a disabled user', async () => {
    const feed = createRevocationFeed({ publicUrl: api.config.PUBLIC_URL, tenant: T, client });
    feeds.push(feed);
    await feed.start();
    const middleware = middlewareWith(feed);
    const carol = await signedInUser(api, { email: 'carol@example.com', tenant: T });
    expect(await statusOf(middleware, carol.token)).toBe(200);
    expect((await api.rest('POST', `/v1/users/${carol.id}/disable`, { tenant: T, body: {} })).status).toBeLessThan(300);
    await waitFor(async () => (await statusOf(middleware, carol.token)) === 401, 'the edge refuses the disabled user', 20_000, 10);
  });

  it('asks the introspection fallback while the feed is not live', async () => {
    const dave = await signedInUser(api, { email: 'dave@example.com', tenant: T });
    expect((await api.rest('POST', '/v1/auth/sign-out', { token: dave.token, body: {} })).status).toBe(200);
    // A feed pointed at nothing never goes live: only the fallback can know.
    const feed = createRevocationFeed({
      publicUrl: api.config.PUBLIC_URL,
      tenant: T,
      client,
      fetch: async () => new Response('unavailable', { status: 503 }),
      fallback: createIntrospectionRevocationCheck({ publicUrl: api.config.PUBLIC_URL, ...client }),
    });
    feeds.push(feed);
    expect(await statusOf(middlewareWith(feed), dave.token)).toBe(401);
    expect(feed.live).toBe(false);
  });
});
