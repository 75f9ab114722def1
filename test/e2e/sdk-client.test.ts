import { TRPCClientError } from '@trpc/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlintoClient, createPlintoRest, verifyWebhook, WebhookVerificationError, type SessionTokens, type WebhookEvent } from '@plinto/sdk';
import { createCan } from '@plinto/sdk/server';
import { startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';
import { startReceiver, type Receiver } from './webhooks.receiver';

/**
 * The SDK as an app uses it, against a running Plinto: the typed tRPC client (batching, tenant,
 * refresh across a real expiry), the REST client typed from openapi.json, can() and webhooks.
 */
let api: TestApi;
let receiver: Receiver;
const TENANT = 'sdk-client';
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  // 30 s access tokens (the minimum) and no clock tolerance: the refresh test waits for a real expiry.
  api = await startTestApi({ AUTH_ACCESS_TOKEN_TTL_SECONDS: '30', AUTH_TOKEN_CLOCK_TOLERANCE_SECONDS: '0', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost', WEBHOOK_TIMEOUT: '2s' });
  await startTestWorkers(api.config);
  receiver = await startReceiver();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: TENANT, name: 'SDK client' } })).status).toBe(201);
});
afterAll(() => receiver?.close());

async function signedUp(email: string) {
  const plinto = createPlintoClient({ url: api.url, tenant: TENANT });
  await plinto.trpc.auth.signUp.mutate({ email, password: PASSWORD, displayName: email.split('@')[0] });
  expect(await plinto.signIn({ email, password: PASSWORD })).toEqual({ status: 'signed_in' });
  return plinto;
}

describe('createPlintoClient (typed tRPC)', () => {
  it('signs in, calls typed procedures in one batch, addresses its tenant, and signs out', async () => {
    const plinto = await signedUp('ada@example.com');
    const requests: string[] = [];
    const counting = createPlintoClient({
      url: api.url,
      tenant: TENANT,
      session: plinto.tokens.current,
      fetch: (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      },
    });
    const [me, tenant] = await Promise.all([counting.trpc.auth.me.query(), counting.trpc.tenants.current.query()]);
    // Typed: a wrong property would not compile (`me.user?.emial`), and the values are the server's.
    expect(me.user?.email).toBe('ada@example.com');
    expect(tenant.slug).toBe(TENANT);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('auth.me,tenants.current');

    await plinto.signOut();
    expect(plinto.tokens.current).toBeNull();
    const error = await counting.trpc.auth.me.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });
  });

  it('refreshes across a real expiry: once for many concurrent calls, rotating the refresh token', async () => {
    const seen: (SessionTokens | null)[] = [];
    const first = await signedUp('bob@example.com');
    const original = first.tokens.current!;
    // Resume the session in a client that believes the token is still fresh (its clock is wrong):
    // the server's 401 makes it refresh once and retry.
    const plinto = createPlintoClient({ url: api.url, tenant: TENANT, session: { ...original, expiresAt: Date.now() + 3_600_000 }, onTokens: (t) => void seen.push(t) });
    await waitFor(async () => (await fetch(`${api.url}/v1/me`, { headers: { authorization: `Bearer ${original.accessToken}` } })).status === 401, 'the access token expired', 60_000, 500);

    const results = await Promise.all(Array.from({ length: 5 }, () => plinto.trpc.auth.me.query()));
    expect(results.map((r) => r.user?.email)).toEqual(Array(5).fill('bob@example.com'));
    expect(plinto.tokens.refreshes).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.refreshToken).not.toBe(original.refreshToken);
    expect(seen[0]!.accessToken).not.toBe(original.accessToken);

    // Once the session is revoked, a client holding its (latest) refresh token is signed out:
    // the refresh answers invalid_grant, the tokens are dropped and onTokens hears null.
    const latest = plinto.tokens.current!;
    await plinto.signOut();
    const heard: (SessionTokens | null)[] = [];
    const stale = createPlintoClient({ url: api.url, tenant: TENANT, session: { ...latest, expiresAt: 0 }, onTokens: (t) => void heard.push(t) });
    await expect(stale.trpc.auth.me.query()).rejects.toThrow(/session has ended/);
    expect(stale.tokens.current).toBeNull();
    expect(heard).toEqual([null]);
  }, 120_000);
});

describe('createPlintoRest (typed from openapi.json)', () => {
  it('calls public and protected operations with the tenant header and a session or API key', async () => {
    const anonymous = createPlintoRest({ url: api.url, tenant: TENANT });
    const up = await anonymous.POST('/auth/sign-up', { body: { email: 'cy@example.com', password: PASSWORD } });
    expect(up.response.status).toBe(202);
    const signIn = await anonymous.POST('/auth/sign-in', { body: { email: 'cy@example.com', password: PASSWORD } });
    expect(signIn.data?.status).toBe('signed_in');
    const token = signIn.data && 'access_token' in signIn.data ? signIn.data.access_token : '';

    const asUser = createPlintoRest({ url: api.url, apiKey: token });
    const me = await asUser.GET('/me');
    expect(me.data?.user?.email).toBe('cy@example.com');

    const asOperator = createPlintoRest({ url: api.url, tenant: TENANT, apiKey: api.platformKey });
    const users = await asOperator.GET('/users', { params: { query: { limit: 50 } } });
    expect(users.data?.items.map((u) => u.email)).toContain('cy@example.com');

    const refused = await anonymous.GET('/users');
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('answers a throttled call with 429 and the Retry-After the contract declares', async () => {
    const rest = createPlintoRest({ url: api.url, tenant: TENANT });
    let throttled: Response | undefined;
    for (let i = 0; i < 40 && !throttled; i++) {
      const { response } = await rest.POST('/auth/sign-in', { body: { email: 'locked@example.com', password: `wrong ${i}` } });
      if (response.status === 429) throttled = response;
    }
    expect(throttled?.status).toBe(429);
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('can() against the evaluate API', () => {
  it('answers from the evaluate API, and reuses a decision within its short cache', async () => {
    const rest = createPlintoRest({ url: api.url, tenant: TENANT, apiKey: api.platformKey });
    const policy = await rest.POST('/policies', { body: { name: 'readers', effect: 'allow', subjects: ['user:reader'], actions: ['read'], resources: ['documents/*'] } });
    expect(policy.response.status).toBe(201);
    let calls = 0;
    const can = createCan({
      url: api.url,
      tenant: TENANT,
      apiKey: api.platformKey,
      ttlMs: 60_000,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    expect(await can('user:reader', 'read', 'documents/42')).toBe(true);
    expect(await can('user:reader', 'write', 'documents/42')).toBe(false);
    expect(await can('user:stranger', 'read', 'documents/42')).toBe(false);
    const [a, b] = await Promise.all([can('user:reader', 'read', 'documents/42'), can('user:reader', 'read', 'documents/42')]);
    expect([a, b]).toEqual([true, true]);
    expect(calls).toBe(3);

    const refused = createCan({ url: api.url, tenant: TENANT, apiKey: 'pak_not-a-key' });
    await expect(refused('user:reader', 'read', 'documents/42')).rejects.toThrow(/401/);
  });
});

describe('verifyWebhook (Standard Webhooks)', () => {
  it('verifies a real delivery from Plinto and types it by event', async () => {
    const rest = createPlintoRest({ url: api.url, tenant: TENANT, apiKey: api.platformKey });
    const endpoint = await rest.POST('/webhooks/endpoints', { body: { url: receiver.url, eventTypes: ['user.*'] } });
    expect(endpoint.response.status).toBe(201);
    const secret = endpoint.data!.secret;
    receiver.secrets = [secret];
    await rest.POST('/auth/sign-up', { body: { email: 'hooked@example.com', password: PASSWORD } });
    const delivery = await waitFor(() => receiver.deliveries.find((d) => d.payload?.type === 'user.created' && d.payload.data.email === 'hooked@example.com'), 'the user.created delivery', 30_000);

    const event: WebhookEvent = await verifyWebhook(secret, delivery.body, delivery.headers as Record<string, string>);
    expect(event.type).toBe('user.created');
    if (event.type === 'user.created') expect(event.data.email).toBe('hooked@example.com'); // narrowed by `type`
    expect(delivery.verifiedWith).toEqual([secret]); // standardwebhooks agrees

    const tampered = delivery.body.replace('hooked@', 'hacked@');
    await expect(verifyWebhook(secret, tampered, delivery.headers as Record<string, string>)).rejects.toBeInstanceOf(WebhookVerificationError);
    // A replay outside the tolerance is refused even with its valid signature.
    await expect(verifyWebhook(secret, delivery.body, delivery.headers as Record<string, string>, { now: () => Date.now() + 10 * 60_000 })).rejects.toThrow(/tolerance/);
  });

  it('interoperates with the standardwebhooks library both ways', async () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const body = JSON.stringify({ id: 'msg_1', type: 'tenant.updated', timestamp: new Date().toISOString(), data: { changes: {} } });
    const timestamp = new Date();
    const signature = new Webhook(secret).sign('msg_1', timestamp, body);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': `v1,bogus ${signature}` };
    expect((await verifyWebhook(secret, body, headers)).type).toBe('tenant.updated');
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'tenant.updated' });
    await expect(verifyWebhook(`whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`, body, headers)).rejects.toThrow(/No valid webhook signature/);
  });
});
