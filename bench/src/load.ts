import { connect, type Socket } from 'node:net';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadOptions {
  /** One URL, or the same path on several servers (connections spread over them in turn). */
  url: string | string[];
  method?: string;
  headers?: Record<string, string>;
  /** The body, or a function of the connection's slot (0..concurrency-1), called per request. */
  body?: string | ((slot: number) => string);
  concurrency?: number;
  durationMs?: number;
  /** Statuses counted as success (default 2xx). */
  ok?: (status: number) => boolean;
  /**
   * Called with each response's body, for chained requests (a rotated refresh token feeds the
   * slot's next request). Without it bodies are skipped unparsed.
   */
  onResponse?: (slot: number, status: number, body: Buffer) => void;
}

/** The p-th percentile of values in any order (sorts a copy). */
export const percentileOf = (values: number[], p: number): number => percentile([...values].sort((a, b) => a - b), p);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A closed-loop HTTP/1.1 load generator on keep-alive connections: `concurrency` connections each
 * send the next request when the previous answered, for `durationMs`. Used identically for Plinto
 * and for its baselines, so the ratio compares servers, not clients. It writes each request as one
 * prepared string and parses only the status line and the body's framing (like wrk): on a 2-core
 * machine the client shares the cores with the server, so a heavy client (node:http costs ~0.4 ms
 * of CPU per request here) would be measured as server overhead. Bounded in count and time;
 * loopback only.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { method = 'GET', headers = {}, concurrency = 32, durationMs = 3000 } = options;
  // Several URLs (the same path on several api processes): connections are spread over them in
  // turn, as DNS round robin or a client-side balancer would.
  const targets = (Array.isArray(options.url) ? options.url : [options.url]).map((url) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error('bench traffic goes to loopback only');
    const head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}`;
    return { host, port: Number(target.port), head };
  });
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const request = (slot: number) => {
    const { head } = targets[slot % targets.length]!;
    const body = typeof options.body === 'function' ? options.body(slot) : options.body;
    return body === undefined ? `${head}\r\n` : `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + durationMs;
  const started = process.hrtime.bigint();

  const loop = async (slot: number) => {
    let connection: Connection | undefined;
    while (Date.now() < deadline) {
      connection ??= await Connection.open(targets[slot % targets.length]!.port, targets[slot % targets.length]!.host);
      const t0 = process.hrtime.bigint();
      try {
        const { status, close, body } = await connection.exchange(request(slot));
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!ok(status)) errors++;
        options.onResponse?.(slot, status, body);
        if (close) connection = connection.destroy();
      } catch {
        errors++;
        connection = connection?.destroy();
      }
    }
    connection?.destroy();
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => loop(slot)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
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

const HEADER_END = Buffer.from('\r\n\r\n');

interface Exchanged {
  status: number;
  close: boolean;
  body: Buffer;
}

/** One keep-alive connection answering one request at a time. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (r: Exchanged) => void; reject: (e: Error) => void };

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    const fail = () => this.waiting?.reject(new Error('connection closed'));
    socket.on('error', fail);
    socket.on('close', fail);
  }

  static open(port: number, host: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  exchange(request: string): Promise<Exchanged> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): undefined {
    this.socket.destroy();
    return undefined;
  }

  /** Completes the waiting exchange once a whole response (Content-Length or chunked) is buffered. */
  private parse(): void {
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0 || !this.waiting) return;
    const head = this.buffered.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (length) {
      total = end + 4 + Number(length[1]);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.buffered.indexOf('\r\n0\r\n\r\n', end);
      if (last < 0) return;
      total = last + 7;
    } else {
      total = end + 4; // no body (204, 304)
    }
    if (this.buffered.length < total) return;
    const body = this.buffered.subarray(end + 4, total); // chunk framing left in: callers read JSON from Content-Length answers
    this.buffered = this.buffered.subarray(total);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status, close: /\r\nconnection:\s*close/i.test(head), body });
  }
}
