import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | (() => string);
  concurrency?: number;
  durationMs?: number;
  /** Statuses counted as success (default 2xx). */
  ok?: (status: number) => boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A closed-loop HTTP load generator on keep-alive connections: `concurrency` loops each send the
 * next request when the previous answered, for `durationMs`. Used identically for Plinto and for
 * its baselines, so the ratio compares servers, not clients. Bounded in count and time; loopback only.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { url, method = 'GET', headers = {}, concurrency = 32, durationMs = 3000 } = options;
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('bench traffic goes to loopback only');
  // noDelay: a response written in several segments must not wait on Nagle + delayed ACK.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, noDelay: true } as ConstructorParameters<typeof Agent>[0]);
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + durationMs;
  const started = process.hrtime.bigint();

  const one = () =>
    new Promise<void>((resolve) => {
      const body = typeof options.body === 'function' ? options.body() : options.body;
      const t0 = process.hrtime.bigint();
      const req = request(
        { agent, host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: target.pathname + target.search, method, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (!ok(res.statusCode ?? 0)) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}
