import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing } from '@plinto/kernel';
import { createTestDatabase, forkApp, startTestApi, startTestWorkers, TEST_REDIS_URL, uniqueSuffix, waitFor } from '../src';
import { startReceiver } from './webhooks.receiver';

describe('the access log', () => {
  it('has one line per request (method, route template, status, duration, tenant, request id) and no secret anywhere', async () => {
    const platformKey = `plk_log_${randomBytes(20).toString('hex')}`;
    const api = await forkApp('api', {
      DATABASE_URL: await createTestDatabase(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `t_${uniqueSuffix()}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      PLINTO_BOOTSTRAP_API_KEY: platformKey,
      AUTH_IP_RATE_LIMIT_PER_MINUTE: '4',
    });
    const url = `http://127.0.0.1:${(api.ready as { port: number }).port}`;
    const password = `secret password ${randomBytes(8).toString('hex')}`;
    const queryToken = `tok_${randomBytes(12).toString('hex')}`;
    const secrets = [platformKey, password, queryToken];
    let n = 0;
    const sent: { id: string; expect: { method: string; route: string; status: number; tenant?: string } }[] = [];
    const call = async (method: string, path: string, route: string, init: RequestInit = {}, tenant?: string) => {
      const id = `req-${++n}-${uniqueSuffix()}`;
      const res = await fetch(`${url}${path}`, { ...init, method, headers: { ...(init.headers as Record<string, string>), 'x-request-id': id } });
      const body = await res.text();
      sent.push({ id, expect: { method, route, status: res.status, ...(tenant ? { tenant } : {}) } });
      // Throttled answers say when to come back.
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      return { status: res.status, body };
    };
    const auth = { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' };
    expect((await call('POST', '/v1/tenants', '/v1/tenants', { headers: auth, body: JSON.stringify({ slug: 'logs', name: 'Logs' }) })).status).toBe(201);
    const tenant = { 'content-type': 'application/json', 'x-plinto-tenant': 'logs' };
    expect((await call('POST', '/v1/auth/sign-up', '/v1/auth/sign-up', { headers: tenant, body: JSON.stringify({ email: 'log@logs.test', password }) }, 'logs')).status).toBe(202);
    const signIn = await call('POST', '/v1/auth/sign-in', '/v1/auth/sign-in', { headers: tenant, body: JSON.stringify({ email: 'log@logs.test', password }) }, 'logs');
    expect(signIn.status).toBe(200);
    const { access_token, refresh_token } = JSON.parse(signIn.body) as { access_token: string; refresh_token: string };
    secrets.push(access_token, refresh_token);
    expect((await call('GET', `/v1/whoami?token=${queryToken}`, '/v1/whoami', { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    expect((await call('GET', '/v1/no/such/route', '/v1/(unmatched)')).status).toBe(404);
    expect((await call('GET', '/v1/tenants', '/v1/tenants', { headers: { authorization: 'Bearer wrong-key-value' } })).status).toBe(401);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await call('POST', '/t/logs/oauth/token', '/t/{tenant}/oauth/token', { headers: form, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token }).toString() }, 'logs')).status).toBe(200);
    expect((await call('GET', '/trpc/system.ping', '/trpc/system.ping')).status).toBe(200);
    // The IP budget (4 a minute) runs out: throttled answers are logged at info too.
    let throttled = 0;
    for (let i = 0; i < 6 && throttled === 0; i++) {
      const res = await call('POST', '/v1/auth/sign-in', '/v1/auth/sign-in', { headers: tenant, body: JSON.stringify({ email: 'log@logs.test', password: 'wrong' }) }, 'logs');
      if (res.status === 429) throttled += 1;
    }
    expect(throttled).toBe(1);

    const lines = () =>
      api
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Positive signal: the last request's line is there (lines are written when a response finishes).
    await waitFor(() => lines().some((l) => l.requestId === sent.at(-1)!.id), 'the last access-log line');
    const access = lines().filter((l) => l.msg === 'request');
    for (const { id, expect: wanted } of sent) {
      const mine = access.filter((l) => l.requestId === id);
      expect(mine, id).toHaveLength(1);
      expect(mine[0]).toMatchObject({ ...wanted, level: wanted.status >= 500 ? 50 : 30 });
      expect(typeof mine[0]!.durationMs).toBe('number');
    }
    expect(access.filter((l) => l.status === 429)).toHaveLength(1);
    const everything = api.output();
    for (const secret of secrets) expect(everything.includes(secret), 'a secret reached the log').toBe(false);
  });
});

describe('tracing', () => {
  it('follows a webhook-causing request from the api through the outbox to the worker and the delivery', async () => {
    const exporter = new InMemorySpanExporter();
    startTracing({ serviceName: 'plinto-test', exporter });
    const api = await startTestApi({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    await startTestWorkers(api.config);
    const receiver = await startReceiver();
    const tenant = (await api.rest('POST', '/v1/tenants', { body: { slug: 'traced', name: 'Traced' } })).body as { id: string; slug: string };
    const endpoint = await api.rest('POST', '/v1/webhooks/endpoints', { tenant: tenant.slug, body: { url: receiver.url, eventTypes: ['tenant.updated'] } });
    receiver.secrets = [endpoint.body.secret];

    const patched = await api.rest('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: 'Traced again' } });
    expect(patched.status).toBe(200);
    await waitFor(() => receiver.deliveries.length === 1, 'the webhook delivery');

    const spans = () => exporter.getFinishedSpans();
    const request = spans().find((s) => s.name === 'PATCH /v1/tenants/{tenantId}')!;
    expect(request, JSON.stringify(spans().map((s) => s.name))).toBeDefined();
    const traceId = request.spanContext().traceId;
    // Spans are exported when they end, in no fixed order (the events job may still be running
    // its other consumers after the delivery it queued is done): wait for each one.
    // Each domain-event consumer has its own queue (`events.<consumer>`): the webhook fan-out's is one.
    const wanted = ['PATCH /v1/tenants/{tenantId}', 'outbox.relay', /^job events\./, 'job webhooks', 'webhook.attempt'];
    const named = (name: string | RegExp) => (s: { name: string }) => (typeof name === 'string' ? s.name === name : name.test(s.name));
    const inTrace = () => spans().filter((s) => s.spanContext().traceId === traceId);
    await waitFor(() => wanted.every((name) => inTrace().some(named(name))), 'every span of the trace');
    const trace = inTrace();
    // Spans of both processes' components, joined only through the outbox row and job payloads.
    expect(new Set(trace.map((s) => s.instrumentationScope.name))).toEqual(new Set(['plinto-api', 'plinto-workers', 'plinto-webhooks']));
    const attempt = trace.find((s) => s.name === 'webhook.attempt')!;
    expect(attempt.attributes['http.response.status_code']).toBe(200);
    // Each step's parent is the one before it: a chain, not a set of unrelated spans.
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const chain: string[] = [];
    for (let s: (typeof trace)[number] | undefined = attempt; s; s = byId.get(s.parentSpanContext?.spanId ?? '')) chain.unshift(s.name);
    expect(chain[0]).toBe('PATCH /v1/tenants/{tenantId}');
    expect(chain).toEqual(expect.arrayContaining(['outbox.relay', 'job webhooks', 'webhook.attempt']));
    expect(chain.some((name) => name.startsWith('job events.'))).toBe(true);
  });
});

describe('the OTLP exporter', () => {
  it('is off by default, and with OTEL_TRACES_EXPORTER=otlp sends the api’s spans over OTLP/HTTP, flushed on shutdown', async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const env = async (extra: Record<string, string>) => ({ DATABASE_URL: await createTestDatabase(), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `t_${uniqueSuffix()}`, PORT: '0', LOG_LEVEL: 'silent', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extra });
    try {
      for (const [exporter, expectSpans] of [['none', false], ['otlp', true]] as const) {
        const api = await forkApp('api', await env({ OTEL_TRACES_EXPORTER: exporter }));
        const id = `otlp-${exporter}-${uniqueSuffix()}`;
        expect((await fetch(`http://127.0.0.1:${(api.ready as { port: number }).port}/v1/ping`, { headers: { 'x-request-id': id } })).status).toBe(200);
        api.child.kill('SIGTERM');
        expect(await api.exited).toBe(0);
        const exported = received.filter((r) => r.path === '/v1/traces' && r.body.includes(id));
        expect(exported.length > 0, `${exporter}: ${received.length} exports`).toBe(expectSpans);
        if (expectSpans) expect(exported[0]!.body).toContain('GET /v1/ping');
      }
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
