// A loopback HTTP load balancer for tests that run several api processes: each request goes to
// the next backend in turn. Like nginx's `proxy_next_upstream error` for requests that were never
// sent, a backend refusing the connection is skipped (the request reached no one, so trying the
// next is safe); a backend failing after the request went out is a 502 with Retry-After, since the
// request may or may not have been applied — the client decides whether to retry.
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests answered by each backend (by its base URL). */
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[], port = 0): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const served = new Map<string, number>(backends.map((b) => [b, 0]));
  let next = 0;
  // Passive health check (nginx's max_fails=1 fail_timeout=1s): a backend that refused a
  // connection is skipped for a second.
  const downUntil = new Map<number, number>();
  const pick = (after?: number) => {
    const start = after === undefined ? next++ : after + 1;
    for (let i = 0; i < backends.length; i++) {
      const index = (start + i) % backends.length;
      if ((downUntil.get(index) ?? 0) <= Date.now()) return index;
    }
    return start % backends.length;
  };

  const forward = (req: IncomingMessage, body: Buffer, attempt: number, answer: (status: number, headers: Record<string, string | string[]>, upstreamBody?: Buffer) => void, after?: number) => {
    const index = pick(after);
    const backend = new URL(backends[index]!);
    let sent = false;
    const upstream = request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: { ...req.headers, host: backend.host, 'x-forwarded-for': req.socket.remoteAddress ?? '' }, agent },
      (res) => {
        // Buffered, as nginx does by default: an upstream dying mid-body becomes a 502, not a cut answer.
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => answer(502, { 'content-type': 'application/json', 'retry-after': '1' }));
        res.on('end', () => {
          served.set(backend.origin, (served.get(backend.origin) ?? 0) + 1);
          answer(res.statusCode ?? 502, res.headers as Record<string, string | string[]>, Buffer.concat(chunks));
        });
      },
    );
    upstream.on('socket', (socket) => {
      // A reused keep-alive socket is connected already; a new one once it connects.
      if (!socket.connecting) sent = true;
      else socket.once('connect', () => (sent = true));
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!sent && error.code === 'ECONNREFUSED') {
        downUntil.set(index, Date.now() + 1000);
        if (attempt < backends.length) return forward(req, body, attempt + 1, answer, index);
      }
      answer(502, { 'content-type': 'application/json', 'retry-after': '1' });
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      forward(req, Buffer.concat(chunks), 1, (status, headers, upstreamBody) => {
        if (res.headersSent) return;
        if (upstreamBody) {
          const { 'transfer-encoding': _chunked, ...rest } = headers;
          res.writeHead(status, { ...rest, 'content-length': String(upstreamBody.length) });
          res.end(upstreamBody);
        } else {
          res.writeHead(status, headers);
          res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: 'The upstream api failed' } }));
        }
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    served,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
