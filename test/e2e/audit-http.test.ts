import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createTRPCClient, httpBatchStreamLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@plinto/api';
import { REPO_ROOT, sqlClient, startTestApi, startTestWorkers, waitFor, type TestApi } from '../src';

let api: TestApi;
let tenantB: string;
const T = 'audit-a';

const append = (body: Record<string, unknown>, ip = '192.0.2.1') =>
  api.rest('POST', '/v1/audit-logs/events', { tenant: T, body, headers: { 'x-forwarded-for': ip } });

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((e) => e.id);

beforeAll(async () => {
  api = await startTestApi({ TRUSTED_PROXIES: 'loopback' });
  await startTestWorkers(api.config);
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'A' } })).status).toBe(201);
  tenantB = (await api.rest('POST', '/v1/tenants', { body: { slug: 'audit-b', name: 'B' } })).body.id;
  const declared = await api.rest('POST', '/v1/audit-logs/schemas', {
    tenant: T,
    body: {
      action: 'doc.signed',
      description: 'A document was signed',
      dataSchema: { fields: { n: { type: 'integer', required: true }, note: { type: 'string' } } },
    },
  });
  expect(declared.status).toBe(200);
  await api.rest('POST', '/v1/audit-logs/schemas', { tenant: T, body: { action: 'doc.viewed', dataSchema: { fields: {}, additionalFields: true } } });
});

describe('appending application events', () => {
  it('validates against the declared schema, naming the field', async () => {
    expect((await append({ action: 'doc.signed', data: { n: 1 } })).status).toBe(201);
    const undeclared = await append({ action: 'doc.burned', data: {} });
    expect(undeclared.status).toBe(404);
    expect(undeclared.body.error.code).toBe('AUDIT_SCHEMA_NOT_FOUND');
    const bad = await append({ action: 'doc.signed', data: { n: 'one', extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('AUDIT_DATA_INVALID');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['data', 'data.n']);
    const reserved = await api.rest('POST', '/v1/audit-logs/schemas', { tenant: T, body: { action: 'tenant.created', dataSchema: { fields: {} } } });
    expect(reserved.status).toBe(409);
    expect(reserved.body.error.code).toBe('AUDIT_ACTION_RESERVED');
  });
});

describe('querying', () => {
  it('filters by actor, action (exact and prefix), target, organization, time range, ip, outcome and source', async () => {
    const org1 = '0190aaaa-0000-7000-8000-000000000001';
    const org2 = '0190aaaa-0000-7000-8000-000000000002';
    const made: Record<string, string> = {};
    const mk = async (key: string, body: Record<string, unknown>, ip?: string) => {
      const res = await append(body, ip);
      expect(res.status).toBe(201);
      made[key] = res.body.id;
    };
    await mk('u1d1', { action: 'doc.signed', actor: { type: 'user', id: 'u1' }, target: { type: 'document', id: 'd1' }, organizationId: org1, data: { n: 1 } });
    await mk('u2d2', { action: 'doc.signed', actor: { type: 'user', id: 'u2' }, target: { type: 'document', id: 'd2' }, organizationId: org2, data: { n: 2 } }, '198.51.100.9');
    const middle = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await mk('view', { action: 'doc.viewed', actor: { type: 'user', id: 'u1' }, target: { type: 'document', id: 'd2' }, outcome: 'failure', data: { any: 'thing' } });

    const q = async (query: string) => {
      const res = await api.rest('GET', `/v1/audit-logs?limit=100&${query}`, { tenant: T });
      expect(res.status, query).toBe(200);
      return ids(res);
    };
    const only = (list: string[], keys: string[]) => expect(list.filter((id) => Object.values(made).includes(id)).sort()).toEqual(keys.map((k) => made[k]).sort());
    only(await q('actorId=u1'), ['u1d1', 'view']);
    only(await q('actorType=user&actorId=u2'), ['u2d2']);
    only(await q('action=doc.signed'), ['u1d1', 'u2d2']);
    only(await q('action=doc.'), ['u1d1', 'u2d2', 'view']);
    only(await q('action=doc.*'), ['u1d1', 'u2d2', 'view']);
    only(await q('targetType=document&targetId=d2'), ['u2d2', 'view']);
    only(await q(`organizationId=${org1}`), ['u1d1']);
    only(await q(`from=${encodeURIComponent(middle)}`), ['view']);
    only(await q(`to=${encodeURIComponent(middle)}&action=doc.`), ['u1d1', 'u2d2']);
    only(await q('ip=198.51.100.9'), ['u2d2']);
    only(await q('outcome=failure'), ['view']);
    expect((await q('source=plinto&action=doc.')).length).toBe(0);
    const plinto = await api.rest('GET', '/v1/audit-logs?source=plinto&limit=100', { tenant: T });
    expect(plinto.body.items.every((e: { source: string }) => e.source === 'plinto')).toBe(true);
    expect(plinto.body.items.map((e: { action: string }) => e.action)).toContain('audit.schema_declared');

    const one = await api.rest('GET', `/v1/audit-logs/${made.u2d2}`, { tenant: T });
    expect(one.body).toMatchObject({
      id: made.u2d2,
      actor: { type: 'user', id: 'u2' },
      action: 'doc.signed',
      source: 'app',
      target: { type: 'document', id: 'd2' },
      organizationId: org2,
      ip: '198.51.100.9',
      outcome: 'success',
      data: { n: 2, recordedBy: { type: 'platform_operator' } },
      requestId: expect.any(String),
      userAgent: expect.any(String),
    });
    // The same over tRPC.
    const viaTrpc = await api.trpc({ token: api.platformKey, tenant: T }).auditLogs.get.query({ id: made.u2d2! });
    expect(viaTrpc).toEqual(one.body);
  });

  it('pages newest first with a keyset cursor that stays correct while events keep arriving', async () => {
    const before: string[] = [];
    for (let i = 0; i < 30; i++) before.push((await append({ action: 'doc.viewed', data: { page: i } })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let inserted = 0;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.rest(
        'GET',
        `/v1/audit-logs?action=doc.viewed&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        { tenant: T },
      );
      seen.push(...ids(page));
      cursor = page.body.nextCursor;
      // New events arrive between page fetches.
      await Promise.all(Array.from({ length: 3 }, () => append({ action: 'doc.viewed', data: { late: ++inserted } })));
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    expect([...seen].sort().reverse()).toEqual(seen); // strictly newest first
    for (const id of before) expect(seen).toContain(id); // no gaps
  });
  it('answers ids and cursors that are not UUIDv7 (or name an instant past year 9999) without a server error', async () => {
    const v4 = 'f5f0ef06-b32f-4b6c-a39c-e44616099c2c';
    const farFuture = 'ffffffff-ffff-7fff-bfff-ffffffffffff';
    for (const id of [v4, farFuture]) {
      const one = await api.rest('GET', `/v1/audit-logs/${id}`, { tenant: T });
      expect(one.status).toBe(404);
      expect(one.body.error.code).toBe('AUDIT_EVENT_NOT_FOUND');
      const cursor = Buffer.from(id, 'utf8').toString('base64url');
      const page = await api.rest('GET', `/v1/audit-logs?limit=5&cursor=${cursor}`, { tenant: T });
      expect(page.status).toBe(200);
      // Every event id sorts below both (v7 ids start with the time), so the page is the newest five.
      expect(page.body.items).toHaveLength(5);
    }
  });
});

describe('isolation between tenants', () => {
  it('answers another tenant’s event as not found, and never lists it', async () => {
    const mine = (await append({ action: 'doc.signed', data: { n: 42 } })).body.id as string;
    const fromB = await api.rest('GET', `/v1/audit-logs/${mine}`, { tenant: 'audit-b' });
    const missing = await api.rest('GET', '/v1/audit-logs/01900000-0000-7000-8000-00000000dead', { tenant: 'audit-b' });
    expect(fromB.status).toBe(404);
    expect(fromB.body.error.code).toBe('AUDIT_EVENT_NOT_FOUND');
    expect({ ...fromB.body.error, requestId: null }).toEqual({ ...missing.body.error, requestId: null });
    const listB = await api.rest('GET', '/v1/audit-logs?limit=100', { tenant: 'audit-b' });
    expect(listB.body.items.every((e: { tenantId: string }) => e.tenantId === tenantB)).toBe(true);
    expect(ids(listB)).not.toContain(mine);
  });
});

describe('export', () => {
  it('streams JSON Lines and CSV with the filters, and no CSV cell can run as a formula', async () => {
    const evil = ['=HYPERLINK("http://evil.test","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', 'plain, "quoted"'];
    for (const note of evil) await append({ action: 'doc.signed', actor: { type: 'user', id: note }, data: { n: 7, note } });

    const jsonl = await fetch(`${api.url}/v1/audit-logs/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.platformKey}`, 'x-plinto-tenant': T, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'jsonl', action: 'doc.signed' }),
    });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await jsonl.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(evil.length);
    expect(lines.every((e) => e.action === 'doc.signed')).toBe(true);
    expect(lines.map((e) => e.data.note)).toEqual(expect.arrayContaining(evil));

    const csv = await fetch(`${api.url}/v1/audit-logs/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.platformKey}`, 'x-plinto-tenant': T, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'csv', action: 'doc.signed', actorType: 'user' }),
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="audit-logs-.*\.csv"/);
    const text = await csv.text();
    const [header, ...rows] = text.trim().split('\r\n');
    expect(header!.split(',')).toContain('actorId');
    // Split cells (quoted cells may contain commas): every cell that could start a formula is defused.
    const cells = rows.flatMap((row) => row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')));
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t]/);
    expect(cells).toContain(`'=HYPERLINK("http://evil.test","x")`);
    expect(cells).toContain("'+1+1");
    expect(cells).toContain("'@SUM(A1)");
  });

  it('streams over tRPC too (a streamed query), with the same rows as REST', async () => {
    for (let n = 0; n < 3; n++) await append({ action: 'doc.signed', data: { n } });
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchStreamLink({ url: `${api.url}/trpc`, transformer: superjson, headers: { authorization: `Bearer ${api.platformKey}`, 'x-plinto-tenant': T } })],
    });
    let text = '';
    for await (const chunk of await client.auditLogs.export.query({ format: 'jsonl', action: 'doc.signed' })) text += chunk;
    const viaTrpc = text.trim().split('\n').map((l) => JSON.parse(l).id);
    const rest = await fetch(`${api.url}/v1/audit-logs/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.platformKey}`, 'x-plinto-tenant': T, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'jsonl', action: 'doc.signed' }),
    });
    expect(viaTrpc.length).toBeGreaterThanOrEqual(3);
    expect(viaTrpc).toEqual((await rest.text()).trim().split('\n').map((l) => JSON.parse(l).id));
  });

  it('caps the export at AUDIT_EXPORT_MAX_RECORDS and refuses bad input with the field', async () => {
    const capped = await startTestApi({ AUDIT_EXPORT_MAX_RECORDS: '3' });
    for (let i = 0; i < 5; i++) await capped.rest('PATCH', '/v1/tenants/default', { body: { name: `Default ${i}` } });
    const res = await fetch(`${capped.url}/v1/audit-logs/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${capped.platformKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 1000 }),
    });
    expect(res.headers.get('x-plinto-export-limit')).toBe('3');
    expect((await res.text()).trim().split('\n')).toHaveLength(3);
    const bad = await capped.rest('POST', '/v1/audit-logs/export', { body: { format: 'xml' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('format');
    const anonymous = await capped.rest('POST', '/v1/audit-logs/export', { body: {}, token: null });
    expect(anonymous.status).toBe(401);
  });
});

describe('stats and the action catalog', () => {
  it('counts per action, per day, top actors and IPs, and failures', async () => {
    const stats = await api.rest('GET', '/v1/audit-logs/stats?action=doc.', { tenant: T });
    expect(stats.status).toBe(200);
    const total = stats.body.byAction.reduce((sum: number, a: { count: number }) => sum + a.count, 0);
    expect(stats.body.total).toBe(total);
    expect(stats.body.failures).toBeGreaterThanOrEqual(1);
    expect(stats.body.byAction.map((a: { action: string }) => a.action).sort()).toEqual(['doc.signed', 'doc.viewed']);
    expect(stats.body.byDay.reduce((sum: number, d: { count: number }) => sum + d.count, 0)).toBe(total);
    expect(stats.body.topIps.map((i: { ip: string }) => i.ip)).toContain('198.51.100.9');
    expect(stats.body.topActors[0]).toMatchObject({ type: expect.any(String), id: expect.any(String), count: expect.any(Number) });
  });

  it('lists every action with a description, Plinto’s and the application’s', async () => {
    const res = await api.rest('GET', '/v1/audit-logs/actions/list', { tenant: T });
    expect(res.status).toBe(200);
    const byAction = new Map(res.body.items.map((a: { action: string }) => [a.action, a]));
    expect(byAction.get('tenant.created')).toMatchObject({ source: 'plinto', description: expect.stringMatching(/.+/) });
    expect(byAction.get('doc.signed')).toMatchObject({ source: 'app', description: 'A document was signed' });
    for (const action of res.body.items.filter((a: { source: string }) => a.source === 'plinto')) expect(action.description.length, action.action).toBeGreaterThan(0);
  });
});

describe('tamper evidence over the API and the CLI', () => {
  it('verifies the chain, then names an event edited in SQL', async () => {
    await waitFor(async () => (await api.rest('GET', '/v1/audit-logs/integrity', { tenant: T })).body.pending === 0, 'the chainer to catch up');
    const clean = await api.rest('GET', '/v1/audit-logs/integrity', { tenant: T });
    expect(clean.body).toMatchObject({ ok: true, firstProblem: null });
    expect(clean.body.checked).toBeGreaterThan(10);

    const victim = (await append({ action: 'doc.signed', data: { n: 5 } })).body.id as string;
    await waitFor(async () => (await api.rest('GET', '/v1/audit-logs/integrity', { tenant: T })).body.pending === 0, 'the chainer');
    await sqlClient(api.config.DATABASE_URL).query(`update audit_events set data = jsonb_set(data, '{n}', '6') where id = $1`, [victim]);
    const broken = await api.rest('GET', '/v1/audit-logs/integrity', { tenant: T });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstProblem).toMatchObject({ kind: 'edited', eventId: victim });

    const cli = spawnSync('pnpm', ['--silent', 'audit:verify', T], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: api.config.DATABASE_URL }, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(victim);
  });

  it('cleanup applies the tenant’s retention on demand', async () => {
    const res = await api.rest('DELETE', '/v1/audit-logs/cleanup', { tenant: 'audit-b' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deletedRows: 0, droppedPartitions: [] });
  });
});
