import { Agent, request } from 'node:http';
import { percentile, type LoadResult } from './load';

/**
 * A closed-loop load of multi-request flows (authorize → token): `concurrency` loops each start
 * the next flow when the previous one ended, for `durationMs`. Used identically for Plinto and its
 * baseline, so the ratio compares servers. node:http on keep-alive connections (one agent socket
 * per loop), lighter than fetch; loopback only.
 */
export interface FlowOptions {
  concurrency: number;
  durationMs: number;
  /** One flow for loop `slot`, on its own HTTP client; true when it ended as it should. */
  flow: (slot: number, http: HttpClient) => Promise<boolean>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type HttpClient = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<HttpAnswer>;

export function httpClient(): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      if (!['127.0.0.1', 'localhost'].includes(target.hostname)) return reject(new Error('bench traffic goes to loopback only'));
      const headers = { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) };
      const req = request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method ?? 'GET', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
}

export async function runFlows(options: FlowOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + options.durationMs;
  const started = process.hrtime.bigint();
  const loop = async (slot: number) => {
    const http = httpClient();
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        const ok = await options.flow(slot, http);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!ok) errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, slot) => loop(slot)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors };
}

/** One authorization-code flow for a signed-in browser: authorize (cookie) → code → token. True when tokens came back. */
export async function codeFlow(http: HttpClient, params: { authorizeUrl: string; cookie: string; tokenUrl: string; basic: string; redirectUri: string; verifier: string }): Promise<boolean> {
  const authorized = await http(params.authorizeUrl, { headers: { cookie: params.cookie } });
  const location = authorized.headers.location;
  if (authorized.status < 300 || authorized.status >= 400 || typeof location !== 'string') return false;
  const code = new URL(location, params.authorizeUrl).searchParams.get('code');
  if (!code) return false;
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: params.redirectUri, code_verifier: params.verifier }).toString();
  const token = await http(params.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${params.basic}` }, body });
  return token.status === 200 && token.body.includes('"id_token"');
}
