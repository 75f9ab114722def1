import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DestinationRefused, pinnedLookup, resolveDestination, type Resolver } from './destination';

export interface SendInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowedHosts: string[];
  resolver?: Resolver;
  /** Characters of the response body kept (default RESPONSE_BODY_LIMIT). */
  bodyLimit?: number;
}

export type SendErrorKind = 'refused' | 'timeout' | 'connection';

export interface SendResult {
  /** The HTTP status, or null when no response arrived. */
  status: number | null;
  ok: boolean;
  /** Up to `bodyLimit` characters of the response body. */
  body: string | null;
  latencyMs: number;
  error: string | null;
  errorKind: SendErrorKind | null;
  /** From a Retry-After header, in milliseconds. */
  retryAfterMs: number | null;
}

export const RESPONSE_BODY_LIMIT = 2048;

class TimeoutError extends Error {}

// Keep-alive pools: a socket in a pool was opened to an address that passed the check.
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
};

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function readCapped(res: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (text.length < limit) text += chunk;
      // The rest of an oversized body is not worth reading; dropping it costs the socket only.
      if (text.length >= limit) res.destroy();
    });
    res.on('end', () => resolve(text.slice(0, limit)));
    res.on('close', () => resolve(text.slice(0, limit)));
    res.on('error', () => resolve(text.slice(0, limit)));
  });
}

/**
 * POSTs to a URL that a tenant configured (a webhook endpoint, an OPA server): the host is resolved
 * once and every address checked (no private, loopback, link-local, metadata, CGNAT or unique-local
 * destinations unless allowlisted), the connection goes to the checked address, and the response
 * body is read up to a limit. Redirects are answers like any other non-2xx (never followed: a
 * redirect could point anywhere, including inside the network). Never throws.
 */
export async function sendOutbound(input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (errorKind: SendErrorKind, error: string): SendResult => ({
    status: null, ok: false, body: null, latencyMs: elapsed(), error, errorKind, retryAfterMs: null,
  });
  let destination;
  let dnsTimer: NodeJS.Timeout | undefined;
  try {
    // Name resolution counts against the attempt's time budget: a stalled resolver must not hold a worker.
    const timedOut = new Promise<never>((_, reject) => {
      dnsTimer = setTimeout(() => reject(new TimeoutError()), input.timeoutMs);
    });
    destination = await Promise.race([resolveDestination(input.url, input.allowedHosts, input.resolver), timedOut]);
  } catch (error) {
    if (error instanceof DestinationRefused) return failure('refused', error.message);
    if (error instanceof TimeoutError) return failure('timeout', `Name resolution took over ${input.timeoutMs} ms`);
    return failure('connection', (error as Error).message);
  } finally {
    clearTimeout(dnsTimer);
  }
  const { url } = destination;
  const isHttps = url.protocol === 'https:';
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = (isHttps ? httpsRequest : httpRequest)(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: isHttps ? agents.https : agents.http,
        lookup: pinnedLookup(destination),
        headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
      },
      (res) => {
        void readCapped(res, input.bodyLimit ?? RESPONSE_BODY_LIMIT).then((body) => {
          const status = res.statusCode ?? 0;
          finish({
            status,
            ok: status >= 200 && status < 300,
            body,
            latencyMs: elapsed(),
            error: null,
            errorKind: null,
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(failure('timeout', `No response within ${input.timeoutMs} ms`));
    }, Math.max(1, input.timeoutMs - (performance.now() - started)));
    req.on('error', (error: NodeJS.ErrnoException) => finish(failure('connection', error.code ?? error.message)));
    req.end(input.body);
  });
}
