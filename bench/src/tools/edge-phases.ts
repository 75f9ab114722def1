/**
 * Breaks a new workerd isolate's first verified request (bench/src/edge.ts, cold) into phases, to
 * find where its tail comes from. Run under the bench lock:
 *   flock /tmp/bench.lock tsx bench/src/tools/edge-phases.ts [rounds]
 * Per round: `new Miniflare` + `ready` (workerd spawn, config, script start), then the first request
 * of the verifying Worker, split by wall-clock stamps (Node's and workerd's clocks are the same
 * clock; workerd's `Date.now()` only advances at I/O, which is what is stamped): Node → Worker
 * (miniflare dispatch), Worker → JWKS answer headers (its outbound fetch, with what a TCP relay in
 * front of Plinto saw: connect, request bytes, Plinto's answer time), headers → handler end (body,
 * key import, verify — WebCrypto is synchronous in workerd, so that share shows as I/O-free time),
 * handler → Node (response). And the same for a bare Worker's first request.
 */
import { createServer, connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { Miniflare } from 'miniflare';
import { percentileOf } from '../load';
import { bundleWorker } from '../worker-bundle';
import { startApiProcess } from '../processes';

const ROUNDS = Number(process.argv[2] ?? 20);
const nowMs = () => performance.timeOrigin + performance.now();

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface RelayStamps { accepted: number; firstRequestByte?: number; firstAnswerByte?: number; closed?: number; bytesDown: number }

/** A TCP relay in front of Plinto that stamps each connection (what the server side sees). */
function startRelay(upstreamPort: number) {
  const stamps: RelayStamps[] = [];
  const server = createServer((client: Socket) => {
    const s: RelayStamps = { accepted: nowMs(), bytesDown: 0 };
    stamps.push(s);
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.on('data', (d) => { s.firstRequestByte ??= nowMs(); upstream.write(d); });
    upstream.on('data', (d) => { s.firstAnswerByte ??= nowMs(); s.bytesDown += d.length; client.write(d); });
    upstream.on('end', () => client.end());
    client.on('end', () => upstream.end());
    client.on('close', () => { s.closed = nowMs(); upstream.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise<{ port: number; stamps: RelayStamps[]; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, stamps, close: () => server.close() })),
  );
}

async function workerScript(): Promise<string> {
  const source = `
    import { withPlintoAuth } from '@plinto/sdk/edge';
    const stamps = {};
    const timedFetch = async (input, init) => {
      stamps.fetchStart = Date.now();
      const response = await fetch(input, init);
      stamps.fetchHeaders = Date.now();
      return response;
    };
    const inner = withPlintoAuth((env) => ({ publicUrl: env.PLINTO_URL, audience: env.PLINTO_URL, jwksBaseUrl: env.JWKS_URL, jwks: { fetch: timedFetch } }),
      (_r, _e, _c, auth) => { stamps.handlerEnd = Date.now(); return new Response(JSON.stringify({ sub: auth.claims.sub, ...stamps })); });
    export default { fetch: (r, e, c) => { stamps.arrived = Date.now(); return inner(r, e, c); } };`;
  return bundleWorker(source);
}

const BARE = 'export default { fetch() { return new Response(JSON.stringify({ arrived: Date.now() })); } };';


async function main() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = await startApiProcess({ PORT: String(port), PUBLIC_URL: url, QUEUE_PREFIX: 'plinto_bench_edge', AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'error' });
  const relay = await startRelay(port);
  try {
    const email = `edge-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    const post = (path: string, body: unknown) =>
      fetch(`${url}/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-plinto-tenant': 'default' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, string>>);
    await post('/auth/sign-up', { email, password });
    const token = (await post('/auth/sign-in', { email, password })).access_token!;
    const script = await workerScript();
    console.log(`worker bundle ${script.length} bytes; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const rows: Record<string, number>[] = [];
    const WARM = process.env.PHASES_WARM !== '0';
    for (let i = 0; i < ROUNDS; i++) {
      const row: Record<string, number> = {};
      // One workerd per round, three Workers (three isolates): `warm` takes a first request so that
      // miniflare's own path (Node → workerd connection, its entry Worker) is warm; `verify` and
      // `bare` then each answer their very first request.
      const worker = (name: string, script: string) => ({ name, modules: true, script, compatibilityDate: '2026-01-01', routes: [`${name}.test/*`], bindings: { PLINTO_URL: url, JWKS_URL: `http://127.0.0.1:${relay.port}` } });
      const t0 = nowMs();
      const mf = new Miniflare({ workers: [worker('warm', BARE), worker('verify', script), worker('bare', BARE)] });
      await mf.ready;
      row.ready = nowMs() - t0;
      if (WARM) {
        const t = nowMs();
        await (await mf.dispatchFetch('http://warm.test/')).text();
        row.warmup = nowMs() - t;
      }
      for (const kind of i % 2 ? (['bare', 'verify'] as const) : (['verify', 'bare'] as const)) {
        const t1 = nowMs();
        const relayBefore = relay.stamps.length;
        const res = await mf.dispatchFetch(`http://${kind}.test/`, { headers: { authorization: `Bearer ${token}` } });
        const body = JSON.parse(await res.text()) as Record<string, number>;
        const t2 = nowMs();
        if (res.status !== 200) throw new Error(`worker answered ${res.status}`);
        if (kind === 'bare') {
          row.bareTotal = t2 - t1;
          row.bareIn = body.arrived! - t1;
          row.bareOut = t2 - body.arrived!;
          continue;
        }
        const s = relay.stamps[relayBefore];
        row.total = t2 - t1;
        row.dispatchIn = body.arrived! - t1;
        row.toFetch = body.fetchStart! - body.arrived!;
        row.fetch = body.fetchHeaders! - body.fetchStart!;
        row.relayConnect = s ? s.accepted - body.fetchStart! : NaN;
        row.relayReqGap = s?.firstRequestByte ? s.firstRequestByte - s.accepted : NaN;
        row.plinto = s?.firstAnswerByte && s.firstRequestByte ? s.firstAnswerByte - s.firstRequestByte : NaN;
        row.relayToWorker = s?.firstAnswerByte ? body.fetchHeaders! - s.firstAnswerByte : NaN;
        row.bodyImportVerify = body.handlerEnd! - body.fetchHeaders!;
        row.out = t2 - body.handlerEnd!;
        row.jwksBytes = s?.bytesDown ?? NaN;
      }
      await mf.dispose();
      row.added = row.total! - row.bareTotal!;
      rows.push(row);
      if (process.env.PHASES_VERBOSE) console.log(JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Math.round(v * 10) / 10]))));
    }
    console.log(`load after ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('phase'.padEnd(18), 'p50'.padStart(8), 'p90'.padStart(8), 'p95'.padStart(8), 'max'.padStart(8));
    for (const key of Object.keys(rows[0]!)) {
      const values = rows.map((r) => r[key]!).filter((v) => !Number.isNaN(v));
      console.log(key.padEnd(18), ...[50, 90, 95, 100].map((p) => percentileOf(values, p).toFixed(1).padStart(8)));
    }
  } finally {
    relay.close();
    await api.stop();
  }
}

await main();
