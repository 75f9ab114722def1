import { beforeAll, describe, expect, it } from 'vitest';
import { sqlClient, startTestApi, type TestApi } from '../src';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ NODE_ENV: 'production' });
});

const LEAKS = [/select /i, /relation/i, /tenants_gone|"tenants"/, /at .*\.(ts|js):\d+/, /stack/i, /node_modules/];

describe('errors in production', () => {
  it('never show a stack trace or SQL text, on REST or tRPC, when the database fails underneath', async () => {
    const db = sqlClient(api.config.DATABASE_URL);
    await db.query('alter table tenants rename to tenants_gone');
    try {
      const rest = await api.rest('GET', '/v1/tenants');
      expect(rest.status).toBe(500);
      expect(rest.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: expect.any(String) } });
      const trpc = await fetch(`${api.url}/trpc/tenants.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
        headers: { authorization: `Bearer ${api.platformKey}` },
      });
      expect(trpc.status).toBe(500);
      const text = await trpc.text();
      expect(JSON.parse(text).error.json.data.code).toBe('INTERNAL');
      for (const body of [JSON.stringify(rest.body), text]) for (const leak of LEAKS) expect(body).not.toMatch(leak);
    } finally {
      await db.query('alter table tenants_gone rename to tenants');
    }
  });

  it('still explain client errors (with field paths, no internals)', async () => {
    const res = await api.rest('POST', '/v1/tenants', { body: { slug: '' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['name', 'slug']);
    for (const leak of LEAKS) expect(JSON.stringify(res.body)).not.toMatch(leak);
  });
});
