import { hostname } from 'node:os';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup, startTestApi, type TestApi } from '../src';

/**
 * A tenant delegates decisions to OPA. The OPA here is a small local server speaking OPA's REST
 * data API (POST /v1/data/<path> with { input } → { result }); failures must deny (fail closed).
 */
let api: TestApi;
let opaUrl: string;
const seen: { path: string; input: Record<string, unknown> }[] = [];
const T = 'authz-opa';

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  const opa = createServer(async (req, res) => {
    const { input } = JSON.parse(await body(req)) as { input: Record<string, unknown> };
    seen.push({ path: req.url ?? '', input });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST') return send(405, {});
    switch (req.url) {
      case '/v1/data/plinto/authz':
        return send(200, { result: { allow: input.subject === 'user:friend' && input.action === 'files:read', note: 'rego says so' } });
      case '/v1/data/plinto/boolean':
        return send(200, { result: input.subject === 'user:friend' });
      case '/v1/data/plinto/slow':
        return setTimeout(() => send(200, { result: { allow: true } }), 2000);
      case '/v1/data/plinto/broken':
        return send(500, { code: 'internal_error' });
      default:
        return send(200, {}); // undefined document: OPA answers without `result`
    }
  });
  await new Promise<void>((resolve) => opa.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    opa.closeAllConnections();
    await new Promise((resolve) => opa.close(resolve));
  });
  opaUrl = `http://127.0.0.1:${(opa.address() as AddressInfo).port}`;
  api = await startTestApi({ POLICY_OPA_ALLOWED_HOSTS: '127.0.0.1' });
  await api.rest('POST', '/v1/tenants', { body: { slug: T, name: 'OPA' } });
  // A local rule that would allow everything, to prove OPA (not the engine) decides.
  await api.rest('POST', '/v1/policies', { tenant: T, body: { name: 'everything', effect: 'allow', subjects: ['*'], actions: ['*'], resources: ['*'] } });
});

const useOpa = (packagePath: string, timeoutMs = 300) =>
  api.rest('PATCH', '/v1/policies/settings', { tenant: T, body: { opa: { url: opaUrl, packagePath, timeoutMs } } });
const decide = async (subject: string, action = 'files:read') => {
  const res = await api.rest('POST', '/v1/policies/evaluate', { tenant: T, body: { subject, action, resource: 'file:1', context: { ip: '10.0.0.1', team: 'blue' } } });
  expect(res.status).toBe(200);
  return res.body as { result: { allow: boolean; reason: string }; decidedBy: string };
};

describe('OPA delegation', () => {
  it('asks OPA with the OPA input document and follows its { result: { allow } }', async () => {
    expect((await useOpa('plinto/authz')).status).toBe(200);
    expect(await decide('user:friend')).toMatchObject({ result: { allow: true }, decidedBy: 'opa' });
    expect(await decide('user:stranger')).toMatchObject({ result: { allow: false }, decidedBy: 'opa' });
    expect(await decide('user:friend', 'files:delete')).toMatchObject({ result: { allow: false } });
    const last = seen.at(-1)!;
    expect(last.path).toBe('/v1/data/plinto/authz');
    expect(last.input).toMatchObject({ subject: 'user:friend', action: 'files:delete', resource: 'file:1', organizationId: null, context: { ip: '10.0.0.1', team: 'blue' } });
  });

  it('accepts a boolean result', async () => {
    await useOpa('plinto/boolean');
    expect((await decide('user:friend')).result.allow).toBe(true);
    expect((await decide('user:enemy')).result.allow).toBe(false);
  });

  it('fails closed: timeout, error status, undefined document, unreachable server', async () => {
    await useOpa('plinto/slow', 100);
    const started = Date.now();
    const slow = await decide('user:friend');
    expect(slow.result).toMatchObject({ allow: false, reason: expect.stringContaining('timed out') });
    expect(Date.now() - started).toBeLessThan(1500);
    await useOpa('plinto/broken');
    expect((await decide('user:friend')).result).toMatchObject({ allow: false, reason: expect.stringContaining('500') });
    await useOpa('plinto/nothing');
    expect((await decide('user:friend')).result).toMatchObject({ allow: false, reason: expect.stringContaining('no decision') });
    await api.rest('PATCH', '/v1/policies/settings', { tenant: T, body: { opa: { url: 'http://127.0.0.1:1', packagePath: 'plinto/authz' } } });
    expect((await decide('user:friend')).result).toMatchObject({ allow: false, reason: expect.stringContaining('unreachable') });
  });

  it("delegates the application's permissions only: Plinto's own checks stay with the engine", async () => {
    // This OPA decides nothing (an undefined document): everything it is asked is denied.
    await useOpa('plinto/nothing');
    const asked = seen.length;
    const key = (await api.rest('POST', '/v1/api-keys', { tenant: T, body: { name: 'reader', role: 'viewer' } })).body.key;
    // Plinto's own check (users:read) is the engine's: the local rule allows it, OPA is not asked.
    const users = await api.rest('GET', '/v1/users?limit=1', { token: key });
    expect(users.status).toBe(200);
    expect(seen.length).toBe(asked);
    // The evaluate API answers the same way: Plinto's permissions by the engine, the application's by OPA.
    expect(await decide('user:anyone', 'users:read')).toMatchObject({ result: { allow: true }, decidedBy: 'engine' });
    expect(await decide('user:anyone', 'files:read')).toMatchObject({ result: { allow: false }, decidedBy: 'opa' });
  });

  it('validates the settings and stops delegating when opa is null', async () => {
    const bad = await api.rest('PATCH', '/v1/policies/settings', { tenant: T, body: { opa: { url: 'ftp://x', packagePath: '../etc' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['opa.packagePath', 'opa.url']);
    expect((await api.rest('PATCH', '/v1/policies/settings', { tenant: T, body: { opa: null } })).status).toBe(200);
    expect(await decide('user:stranger')).toMatchObject({ result: { allow: true }, decidedBy: 'engine' });
  });
});

describe('OPA destinations (SSRF)', () => {
  it('refuses an internal OPA URL when it is saved, and denies (without connecting) when a host name resolves inside', async () => {
    const guarded = await startTestApi();
    await guarded.rest('POST', '/v1/tenants', { body: { slug: 'guarded', name: 'Guarded' } });
    for (const url of ['http://169.254.169.254', 'http://10.0.0.5:8181', 'http://[::ffff:127.0.0.1]', 'http://0x7f000001', 'http://localhost:1', 'http://LocalHost./']) {
      const res = await guarded.rest('PATCH', '/v1/policies/settings', { tenant: 'guarded', body: { opa: { url, packagePath: 'plinto/authz' } } });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'OPA_URL_NOT_ALLOWED', fields: [{ path: 'opa.url' }] });
    }
    // Any other name is only known after DNS: this machine's host name (in /etc/hosts) is saved, then
    // refused at call time, before any socket.
    const saved = await guarded.rest('PATCH', '/v1/policies/settings', { tenant: 'guarded', body: { opa: { url: `http://${hostname()}:1`, packagePath: 'plinto/authz' } } });
    expect(saved.status).toBe(200);
    const res = await guarded.rest('POST', '/v1/policies/evaluate', { tenant: 'guarded', body: { subject: 'user:x', action: 'files:read', resource: 'file:1' } });
    expect(res.body.result.allow).toBe(false);
    expect(res.body.result.reason).toMatch(/OPA destination refused/);
  });
});

describe('POLICY_EVALUATION_TIMEOUT', () => {
  it('denies a decision that takes longer than the configured timeout', async () => {
    const strict = await startTestApi({ POLICY_EVALUATION_TIMEOUT: '150', POLICY_OPA_ALLOWED_HOSTS: '127.0.0.1' });
    await strict.rest('POST', '/v1/tenants', { body: { slug: 'strict', name: 'Strict' } });
    await strict.rest('PATCH', '/v1/policies/settings', { tenant: 'strict', body: { opa: { url: opaUrl, packagePath: 'plinto/slow', timeoutMs: 5000 } } });
    const started = Date.now();
    const res = await strict.rest('POST', '/v1/policies/evaluate', { tenant: 'strict', body: { subject: 'user:friend', action: 'files:read', resource: 'file:1' } });
    expect(res.body).toMatchObject({ result: { allow: false }, decidedBy: expect.stringMatching(/^(timeout|opa)$/) });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
