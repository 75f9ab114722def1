import { describe, expect, it, beforeAll } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { startTestApi, type TestApi } from '../src';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});

const trpcErrorData = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<any>).data as { code: string; httpStatus: number; fields?: { path: string }[] };
};

describe('tenants, managed by a platform operator', () => {
  it('has a default tenant from first start', async () => {
    const res = await api.rest('GET', '/v1/tenants/default');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ slug: 'default', status: 'active' });
  });

  it('creates over REST (201) and reads it back identically over tRPC', async () => {
    const created = await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme Inc', settings: { appUrl: 'https://app.acme.test' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'acme', name: 'Acme Inc', status: 'active', settings: { appUrl: 'https://app.acme.test' } });

    const viaRest = await api.rest('GET', `/v1/tenants/${created.body.id}`);
    const viaTrpc = await api.trpc({ token: api.platformKey }).tenants.get.query({ tenantId: created.body.id });
    expect(viaTrpc).toEqual(viaRest.body);
  });

  it('refuses a duplicate slug with 409 TENANT_SLUG_TAKEN on both surfaces', async () => {
    await api.rest('POST', '/v1/tenants', { body: { slug: 'dup', name: 'One' } });
    const rest = await api.rest('POST', '/v1/tenants', { body: { slug: 'dup', name: 'Two' } });
    expect(rest.status).toBe(409);
    expect(rest.body.error).toMatchObject({ code: 'TENANT_SLUG_TAKEN', fields: [{ path: 'slug' }] });
    const data = await trpcErrorData(api.trpc({ token: api.platformKey }).tenants.create.mutate({ slug: 'dup', name: 'Three' }));
    expect(data).toMatchObject({ code: 'TENANT_SLUG_TAKEN', httpStatus: 409 });
  });

  it('answers invalid input with 400 VALIDATION_FAILED and the field paths, identically on both surfaces', async () => {
    const bad = { slug: 'Not A Slug', name: 'x', settings: { appUrl: 'ftp://nope', surprise: true } };
    const rest = await api.rest('POST', '/v1/tenants', { body: bad });
    expect(rest.status).toBe(400);
    expect(rest.body.error.code).toBe('VALIDATION_FAILED');
    const restPaths = rest.body.error.fields.map((f: { path: string }) => f.path).sort();
    expect(restPaths).toEqual(['settings', 'settings.appUrl', 'slug']);
    const data = await trpcErrorData(api.trpc({ token: api.platformKey }).tenants.create.mutate(bad as never));
    expect(data.httpStatus).toBe(400);
    expect(data.code).toBe('VALIDATION_FAILED');
    expect(data.fields!.map((f) => f.path).sort()).toEqual(restPaths);
  });

  it('lists with cursor pagination, newest first, without repeats or gaps', async () => {
    for (const slug of ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']) await api.rest('POST', '/v1/tenants', { body: { slug, name: slug } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { slug: string }[]; nextCursor: string | null } } = await api.rest(
        'GET',
        `/v1/tenants?limit=2&search=page-${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((t) => t.slug));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-5', 'page-4', 'page-3', 'page-2', 'page-1']);
    const badCursor = await api.rest('GET', '/v1/tenants?cursor=garbage');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.fields[0].path).toBe('cursor');
  });

  it('updates (settings merge), disables and enables; a disabled tenant refuses its requests', async () => {
    const { body: t } = await api.rest('POST', '/v1/tenants', { body: { slug: 'flip', name: 'Flip', settings: { emailSenderName: 'Flip' } } });
    const updated = await api.rest('PATCH', `/v1/tenants/${t.id}`, { body: { name: 'Flipped', settings: { appUrl: 'https://flip.test' } } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Flipped', settings: { emailSenderName: 'Flip', appUrl: 'https://flip.test' } });

    expect((await api.rest('GET', '/v1/tenant', { token: null, tenant: 'flip' })).status).toBe(200);
    const disabled = await api.rest('POST', `/v1/tenants/${t.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    const refused = await api.rest('GET', '/v1/tenant', { token: null, tenant: 'flip' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TENANT_DISABLED');
    const enabled = await api.rest('POST', `/v1/tenants/flip/enable`);
    expect(enabled.body.status).toBe('active');
  });

  it('resolves an unauthenticated request tenant from X-Plinto-Tenant, defaulting to default', async () => {
    expect((await api.rest('GET', '/v1/tenant', { token: null })).body.slug).toBe('default');
    expect((await api.rest('GET', '/v1/tenant', { token: null, tenant: 'acme' })).body.slug).toBe('acme');
    const missing = await api.rest('GET', '/v1/tenant', { token: null, tenant: 'no-such-tenant' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('TENANT_NOT_FOUND');
  });

  it('requires a platform key: none is 401, a wrong one is 401', async () => {
    const none = await api.rest('GET', '/v1/tenants', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await api.rest('GET', '/v1/tenants', { token: 'plk_not-a-real-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });
});
