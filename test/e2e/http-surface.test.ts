import { beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { buildOpenApiDocument } from '@plinto/api';
import { sqlClient, startTestApi, type TestApi } from '../src';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ HTTP_BODY_LIMIT_BYTES: '4096', TRPC_MAX_BATCH_SIZE: '3', TRUSTED_PROXIES: '10.9.9.9' });
});

describe('the api process over HTTP', () => {
  it('answers /health and /ready', async () => {
    expect(await api.rest('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.rest('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });
  });

  it('serves Prometheus metrics that count requests', async () => {
    await api.rest('GET', '/v1/ping');
    const res = await fetch(`${api.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/plinto_http_request_duration_seconds_count\{surface="v1",method="GET",status="200"\} \d+/);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('serves the OpenAPI document it was generated from, and the reference page with its assets', async () => {
    const doc = await api.rest('GET', '/openapi.json');
    expect(doc.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/init.js']) {
      const res = await fetch(`${api.url}${asset}`);
      expect(res.status, asset).toBe(200);
    }
  });

  it('sends security headers and a request id', async () => {
    const res = await fetch(`${api.url}/v1/ping`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers unknown routes with a JSON 404', async () => {
    for (const path of ['/nope', '/v1/nope', '/v1/tenants/x/y/z']) {
      const res = await api.rest('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('refuses bodies past the limit with 413 and malformed JSON with 400, on both surfaces', async () => {
    const big = JSON.stringify({ slug: 'big', name: 'x'.repeat(10_000) });
    const rest = await api.rest('POST', '/v1/tenants', { body: big });
    expect(rest.status).toBe(413);
    expect(rest.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const trpc = await api.rest('POST', '/trpc/tenants.create', { body: big });
    expect(trpc.status).toBe(413);
    const malformed = await api.rest('POST', '/v1/tenants', { body: '{"slug":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_REQUEST');
  });

  it('caps the number of calls in one tRPC batch', async () => {
    const ok = await api.rest('GET', `/trpc/system.ping,system.ping,system.ping?batch=1&input=${encodeURIComponent('{}')}`);
    expect(ok.status).toBe(200);
    const tooMany = await api.rest('GET', `/trpc/system.ping,system.ping,system.ping,system.ping?batch=1&input=${encodeURIComponent('{}')}`);
    expect(tooMany.status).toBe(400);
    // The typed client batches too, and gets the same refusal.
    const client = api.trpc({ token: api.platformKey });
    const calls = Array.from({ length: 4 }, () => client.system.ping.query());
    const results = await Promise.allSettled(calls);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof TRPCClientError)).toBe(true);
  });

  it('takes the client ip from X-Forwarded-For only when the hop is a trusted proxy', async () => {
    // The api trusts only 10.9.9.9; this request comes from 127.0.0.1, so the header is ignored.
    const res = await api.rest('POST', '/v1/tenants', { body: { slug: 'ip-check', name: 'Ip' }, headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(res.status).toBe(201);
    const db = sqlClient(api.config.DATABASE_URL);
    const { rows } = await db.query("select ip, user_agent, request_id from audit_events where action = 'tenant.created' and target_id = $1", [res.body.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].ip).toMatch(/127\.0\.0\.1$/);
    expect(rows[0].request_id).toBe(res.headers.get('x-request-id'));
  });

  it('treats a bodiless POST as an empty JSON object instead of 415', async () => {
    const res = await fetch(`${api.url}/v1/tenants/default/enable`, { method: 'POST', headers: { authorization: `Bearer ${api.platformKey}` } });
    expect(res.status).toBe(200);
  });
});
