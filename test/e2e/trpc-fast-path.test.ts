import { beforeAll, describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { startTestApi, type TestApi } from '../src';

/**
 * The fast path for single tRPC GET queries must answer exactly as tRPC's own adapter does. A
 * `trpc-accept: application/json` header sends the same call through tRPC's adapter (the fast path
 * leaves such calls alone, and tRPC treats that header as a plain, non-streamed call), so each
 * request is made both ways and the status, content type and body bytes compared.
 */
let api: TestApi;
let tenantId: string;

beforeAll(async () => {
  api = await startTestApi();
  tenantId = (await api.rest('POST', '/v1/tenants', { body: { slug: 'fast-path', name: 'Fast path' } })).body.id;
});

async function bothWays(path: string, headers: Record<string, string> = {}) {
  const call = async (extra: Record<string, string>) => {
    const res = await fetch(`${api.url}/trpc/${path}`, { headers: { ...headers, ...extra } });
    // Each request has its own id; everything else must match.
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.text()).replace(/"requestId":"[^"]*"/g, '"requestId":"…"') };
  };
  const [fast, standard] = [await call({}), await call({ 'trpc-accept': 'application/json' })];
  expect(fast).toEqual(standard);
  return fast;
}

const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(superjson.serialize(value)))}`;

describe('tRPC GET fast path', () => {
  it('answers a public and a protected query, with and without input, byte for byte as tRPC does', async () => {
    expect((await bothWays('system.ping')).status).toBe(200);
    const key = { authorization: `Bearer ${api.platformKey}` };
    expect(JSON.parse((await bothWays('system.whoami', key)).body).result.data.json).toMatchObject({ kind: 'platform_operator' });
    const got = await bothWays(`tenants.get?${input({ tenantId })}`, key);
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body).result.data.json.slug).toBe('fast-path');
  });

  it('answers errors with the same shape, code and status: unauthenticated, bad credential, invalid input, not found', async () => {
    expect((await bothWays('system.whoami')).status).toBe(401);
    expect((await bothWays('system.whoami', { authorization: 'Bearer nope' })).status).toBe(401);
    const key = { authorization: `Bearer ${api.platformKey}` };
    const invalid = await bothWays(`tenants.get?${input({ tenantId: 42 })}`, key);
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error.json.data.code).toBe('VALIDATION_FAILED');
    expect((await bothWays(`tenants.get?${input({ tenantId: '00000000-0000-7000-8000-000000000000' })}`, key)).status).toBe(404);
  });

  it('leaves malformed input, unknown paths and mutations to tRPC', async () => {
    expect((await bothWays('system.ping?input=%7Bnot-json')).status).toBe(400);
    expect((await bothWays('no.such.procedure')).status).toBe(404);
    expect((await bothWays('tenants.create')).status).toBe(405);
  });
});
