import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../src';

/**
 * The token endpoint on the wire. A server's call (no Origin, a small form of declared length) is
 * answered before Express's routing and body parser (api/src/http/oauth.ts, tokenFastPath); a
 * browser's (Origin: CORS), a chunked or compressed body goes the routed way. Both must answer
 * every request alike: grants, refusals, repeated and excess parameters, unknown tenants.
 */
let api: TestApi;
let tokenUrl: string;
let basic: string;

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'wire', name: 'Wire' } })).status).toBe(201);
  const created = await api.rest('POST', '/v1/clients', { tenant: 'wire', body: { name: 'wire-service', roles: [], scopes: ['api:read'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  basic = `Basic ${Buffer.from(`${encodeURIComponent(created.body.clientId)}:${encodeURIComponent(created.body.clientSecret)}`).toString('base64')}`;
  tokenUrl = `${api.url}/t/wire/oauth/token`;
});

type Answer = { status: number; body: any };
type Way = (url: string, form: string, headers?: Record<string, string>) => Promise<Answer>;
const FORM = 'application/x-www-form-urlencoded';

/** A server's call: what the fast path takes. */
const asServer: Way = async (url, form, headers = {}) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body: form });
  return { status: res.status, body: await res.json() };
};

/** The same form sent chunked (no declared length): the routed way. */
const chunked: Way = (url, form, headers = {}) =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': FORM, 'transfer-encoding': 'chunked', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    const half = Math.floor(form.length / 2);
    req.write(form.slice(0, half));
    req.end(form.slice(half));
  });

/** Compressed: the routed way (body-parser inflates it). */
const gzipped: Way = async (url, form, headers = {}) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, 'content-encoding': 'gzip', ...headers }, body: gzipSync(form) });
  return { status: res.status, body: await res.json() };
};

const WAYS: [string, Way][] = [
  ['a server call (fast path)', asServer],
  ['a chunked body', chunked],
  ['a gzipped body', gzipped],
];

describe('the token endpoint answers alike on every way in', () => {
  it.each(WAYS)('%s: a client-credentials grant', async (_, way) => {
    const answer = await way(tokenUrl, 'grant_type=client_credentials&scope=api%3Aread', { authorization: basic });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', scope: 'api:read' });
    // The token works at the API (introspection says active).
    const introspected = await asServer(`${api.url}/t/wire/oauth/introspect`, `token=${answer.body.access_token}`, { authorization: basic });
    expect(introspected.body.active).toBe(true);
  });

  it.each(WAYS)('%s: the refusals', async (_, way) => {
    expect(await way(tokenUrl, 'grant_type=client_credentials&grant_type=client_credentials', { authorization: basic })).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Parameter grant_type is repeated' },
    });
    expect(await way(tokenUrl, 'grant_type=client_credentials', { authorization: 'Basic d3Jvbmc6d3Jvbmc=' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await way(tokenUrl, 'grant_type=password', { authorization: basic })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await way(`${api.url}/t/no-such-tenant/oauth/token`, 'grant_type=client_credentials', { authorization: basic })).toMatchObject({ status: 404, body: { error: { code: 'TENANT_NOT_FOUND' } } });
    // Past 50 fields the form is too large, as body-parser words it.
    const many = Array.from({ length: 51 }, (_, i) => `p${i}=x`).join('&');
    expect(await way(tokenUrl, many, { authorization: basic })).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('a browser call (Origin) goes the routed way, with CORS, and is answered alike', async () => {
    const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': FORM, origin: 'https://not-allowed.example', authorization: basic }, body: 'grant_type=client_credentials' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(200);
  });

  it('a body other than a form is refused in the OAuth shape; one larger than 16 KiB as too large', async () => {
    const json = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic }, body: '{"grant_type":"client_credentials"}' });
    expect({ status: json.status, body: await json.json() }).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const large = await asServer(tokenUrl, `grant_type=client_credentials&pad=${'x'.repeat(17 * 1024)}`, { authorization: basic });
    expect(large).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('a client that hangs up mid-body leaves the endpoint serving', async () => {
    const { port } = new URL(api.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /t/wire/oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${FORM}\r\ncontent-length: 100\r\nauthorization: ${basic}\r\n\r\ngrant_type=client`);
    socket.destroy();
    await closed;
    expect((await asServer(tokenUrl, 'grant_type=client_credentials', { authorization: basic })).status).toBe(200);
  });
});
