import net from 'node:net';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveDestination, DestinationRefused, sendOutbound as sendWebhook, type Resolver } from '@plinto/kernel';

/** A resolver that answers from a table and counts its calls: no real DNS in these tests. */
function stubResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = (async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
  }) as Resolver & { calls: string[] };
  resolver.calls = calls;
  return resolver;
}

const refusalOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DestinationRefused);
  return (error as DestinationRefused).reason;
};

describe('SSRF: destinations are refused before any connection', () => {
  const connect = vi.spyOn(net.Socket.prototype, 'connect');
  afterEach(() => connect.mockClear());
  afterAll(() => connect.mockRestore());

  const hostile = stubResolver({
    'metadata.evil.test': ['169.254.169.254'],
    'internal.evil.test': ['10.1.2.3'],
    'cgnat.evil.test': ['100.64.1.1'],
    'ula.evil.test': ['fd00::5'],
    'mapped.evil.test': ['::ffff:169.254.169.254'],
    'loop6.evil.test': ['::1'],
    'mixed.evil.test': ['93.184.215.14', '127.0.0.1'], // one good answer does not launder a bad one
  });

  it.each([
    ['https://metadata.evil.test/latest/meta-data/', 'metadata'],
    ['https://internal.evil.test/', 'private'],
    ['https://cgnat.evil.test/', 'cgnat'],
    ['https://ula.evil.test/', 'unique-local'],
    ['https://mapped.evil.test/', 'metadata'],
    ['https://loop6.evil.test/', 'loopback'],
    ['https://mixed.evil.test/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://2852039166/', 'metadata'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'metadata'],
    ['http://0251.0376.0251.0376/', 'metadata'],
    ['http://[::ffff:169.254.169.254]/', 'metadata'],
    ['http://[::ffff:a9fe:a9fe]/', 'metadata'],
    ['http://[fd00:ec2::254]/', 'metadata'],
    ['http://0x7f.1:8080/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://100.100.100.200/', 'metadata'],
    ['http://[fe80::1]/', 'link-local'],
  ])('%s → refused (%s), no socket connect', async (url, reason) => {
    expect(await refusalOf(resolveDestination(url, [], hostile))).toBe(reason);
    const result = await sendWebhook({ url, headers: {}, body: '{}', timeoutMs: 1000, allowedHosts: [], resolver: hostile });
    expect(result).toMatchObject({ ok: false, status: null, errorKind: 'refused' });
    expect(connect).not.toHaveBeenCalled();
  });

  it('(control) the spy does see a connection when one is made', async () => {
    const sink = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const { port } = sink.address() as net.AddressInfo;
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}', timeoutMs: 1000, allowedHosts: ['127.0.0.1'] });
    sink.closeAllConnections();
    await new Promise((resolve) => sink.close(resolve));
    expect(result.status).toBe(204);
    expect(connect).toHaveBeenCalled();
  });

  it('refuses other schemes and URLs with credentials', async () => {
    expect(await refusalOf(resolveDestination('ftp://example.test/', [], hostile))).toBe('scheme');
    expect(await refusalOf(resolveDestination('file:///etc/passwd', [], hostile))).toBe('scheme');
    expect(await refusalOf(resolveDestination('https://user:pw@example.test/', [], hostile))).toBe('credentials');
    expect(await refusalOf(resolveDestination('https://nowhere.test/', [], hostile))).toBe('unresolvable');
    expect(connect).not.toHaveBeenCalled();
  });

  it('a resolver that never answers costs one timeout, not a stuck worker', async () => {
    const stalled: Resolver = () => new Promise(() => undefined);
    const result = await sendWebhook({ url: 'https://slow-dns.test/', headers: {}, body: '{}', timeoutMs: 100, allowedHosts: [], resolver: stalled });
    expect(result).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(connect).not.toHaveBeenCalled();
  });

  it('the allowlist opts a host (or an address) in, and nothing else', async () => {
    const resolved = await resolveDestination('https://internal.evil.test/', ['internal.evil.test'], hostile);
    expect(resolved.address).toBe('10.1.2.3');
    expect(await refusalOf(resolveDestination('https://metadata.evil.test/', ['internal.evil.test'], hostile))).toBe('metadata');
    expect((await resolveDestination('http://0x7f.1/', ['127.0.0.1'], hostile)).address).toBe('127.0.0.1');
  });
});

describe('sendWebhook against a local receiver', () => {
  let server: Server;
  let port: number;
  const seen: { host: string | undefined; url: string | undefined }[] = [];
  let respond: (req: IncomingMessage, res: import('node:http').ServerResponse) => void = (_req, res) => res.end('ok');
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ host: req.headers.host, url: req.url });
      req.resume();
      req.on('end', () => respond(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('connects to the address that was checked, resolving exactly once (no rebinding window)', async () => {
    // A rebinding resolver: allowlisted loopback first, metadata on any later lookup.
    let n = 0;
    const rebinding: Resolver = async () => [{ address: n++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
    const result = await sendWebhook({
      url: `http://receiver.test:${port}/hook?x=1`,
      headers: { 'webhook-id': 'msg_1' },
      body: '{"a":1}',
      timeoutMs: 2000,
      allowedHosts: ['receiver.test'],
      resolver: rebinding,
    });
    expect(result).toMatchObject({ ok: true, status: 200, body: 'ok' });
    expect(n).toBe(1);
    expect(seen.at(-1)).toEqual({ host: `receiver.test:${port}`, url: '/hook?x=1' });
  });

  it('does not follow redirects, reads Retry-After, truncates bodies, and times out', async () => {
    const url = `http://127.0.0.1:${port}/`;
    const base = { url, headers: {}, body: '{}', timeoutMs: 2000, allowedHosts: ['127.0.0.1'] };
    respond = (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    const before = seen.length;
    expect(await sendWebhook(base)).toMatchObject({ ok: false, status: 302 });
    expect(seen.length).toBe(before + 1);

    respond = (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    expect(await sendWebhook(base)).toMatchObject({ ok: false, status: 429, retryAfterMs: 7000, body: 'slow down' });

    respond = (_req, res) => res.end('x'.repeat(100_000));
    const big = await sendWebhook(base);
    expect(big.ok).toBe(true);
    expect(big.body!.length).toBe(2048);

    respond = () => undefined; // never answers
    expect(await sendWebhook({ ...base, timeoutMs: 150 })).toMatchObject({ ok: false, status: null, errorKind: 'timeout' });
  });
});
