import { revocationKeysOf } from '../token-rules.js';
import { clientCredentialsToken, type AccessTokenSource, type ClientCredentials } from './client-token.js';
import type { RevocationCheck } from './verifier.js';

/** The events that end sessions, tokens and clients (as Plinto's own realtime hub reads them). */
export const REVOCATION_EVENT_TYPES = ['session.revoked', 'session.revoked_all', 'session.token_reuse_detected', 'access_token.revoked', 'machine_client.revoked', 'user.disabled', 'user.deleted'] as const;

export interface RevocationFeedOptions {
  /** Plinto's PUBLIC_URL (or a private address of it). */
  publicUrl: string;
  /** The tenant (slug) whose revocations are followed. */
  tenant: string;
  /** A machine client of the tenant holding `events:subscribe` (admins' permission by default) … */
  client?: ClientCredentials;
  /** … or any source of a bearer token holding it. */
  accessToken?: AccessTokenSource;
  /**
   * Asked while the feed is not live (before the first connection, during a reconnect) and, after
   * the server said events were lost (`reset`), until every token issued before has expired —
   * typically createIntrospectionRevocationCheck. Without it such tokens pass (the feed fails open).
   */
  fallback?: RevocationCheck;
  /** How long a revocation is remembered: at least the longest access-token lifetime. Default 3 600 000 ms. */
  retainMs?: number;
  /** Wait this long before reconnecting after a failure, doubling up to 30 s. Default 500 ms. */
  reconnectMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface RevocationFeed {
  /** Use as the verifier's `revocation`. */
  check: RevocationCheck;
  /** Connects (once); resolves when the feed is live (caught up, `ready`). */
  start(): Promise<void>;
  close(): void;
  /** Connected and caught up: revocations arrive as they happen. */
  readonly live: boolean;
  /** The last event id seen (the feed resumes from it after a reconnect). */
  readonly lastEventId: string | null;
}

interface RealtimeEvent {
  type: string;
  timestamp: string;
  target: { type: string; id: string } | null;
  data: Record<string, unknown>;
}
type Message = { kind: 'event'; id: string; event: RealtimeEvent } | { kind: 'reset'; id: string } | { kind: 'ready'; id: string };

/**
 * Revocations pushed by Plinto: a realtime tenant stream (`realtime.tenant` over SSE, plain fetch —
 * Node 20+, Vercel/Next.js edge, Workers Durable Objects) filtered to the revocation events, feeding
 * a set of revoked sessions, tokens, clients and users. A revoked session is refused as soon as its
 * event arrives (typically well under a second after the revocation). The feed resumes from its
 * last event id after a reconnect (token expiry, a restart of Plinto), so no revocation is missed;
 * when the server can no longer replay what was missed (`reset`) or while the feed is down, the
 * `fallback` check (introspection) answers instead.
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const retainMs = options.retainMs ?? 3_600_000;
  const tenant = options.tenant.toLowerCase();
  const base = options.publicUrl.replace(/\/+$/, '');
  const token = options.accessToken ?? (options.client ? clientCredentialsToken({ publicUrl: base, tenant, fetch: options.fetch, now, ...options.client }) : null);
  if (!token) throw new Error('createRevocationFeed needs `client` credentials or an `accessToken` source');
  /** revocation key (`sid:…`, `jti:…`, `client:…`) → when it may be forgotten */
  const revoked = new Map<string, number>();
  /** user id → when the user was disabled or deleted (their tokens issued before are refused) */
  const usersEnded = new Map<string, number>();
  let live = false;
  let lastEventId: string | null = null;
  let fallbackUntil = 0;
  let closed = false;
  let started: Promise<void> | null = null;
  let abort: AbortController | null = null;
  let onReady: (() => void) | null = null;

  const remember = (key: string) => revoked.set(key, now() + retainMs);

  function apply(event: RealtimeEvent): void {
    const data = event.data ?? {};
    switch (event.type) {
      case 'session.revoked':
      case 'session.token_reuse_detected':
        if (typeof data.sessionId === 'string') remember(`sid:${data.sessionId}`);
        break;
      case 'session.revoked_all':
        for (const id of Array.isArray(data.sessionIds) ? data.sessionIds : []) if (typeof id === 'string') remember(`sid:${id}`);
        break;
      case 'access_token.revoked':
        if (typeof data.tokenId === 'string') remember(`jti:${data.tokenId}`);
        break;
      case 'machine_client.revoked':
        if (typeof data.clientId === 'string') remember(`client:${data.clientId}`);
        break;
      case 'user.disabled':
      case 'user.deleted':
        if (event.target?.type === 'user') usersEnded.set(event.target.id, Date.parse(event.timestamp) || now());
        break;
    }
  }

  function prune(): void {
    const at = now();
    for (const [key, until] of revoked) if (until <= at) revoked.delete(key);
    for (const [user, when] of usersEnded) if (when + retainMs <= at) usersEnded.delete(user);
  }

  function handle(message: Message): void {
    lastEventId = message.id;
    if (message.kind === 'event') apply(message.event);
    else if (message.kind === 'reset') fallbackUntil = now() + retainMs;
    else {
      live = true;
      onReady?.();
    }
  }

  /** One SSE connection, read to its end (tRPC's framing: `data:` JSON with superjson's `json`, `id:`, `event:`). */
  async function connect(renew: boolean): Promise<void> {
    const input = { json: { types: [...REVOCATION_EVENT_TYPES], ...(lastEventId ? { lastEventId } : {}) } };
    abort = new AbortController();
    const response = await fetchImpl(`${base}/trpc/realtime.tenant?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: { authorization: `Bearer ${await token!({ renew })}`, accept: 'text/event-stream', 'x-plinto-tenant': tenant },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw Object.assign(new Error(`revocation feed: ${response.status}`), { status: response.status });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (event === 'serialized-error') throw Object.assign(new Error('revocation feed: the stream ended with an error'), { status: 401 });
        if (event === 'return') return;
        if (event !== 'message' || !data) continue;
        const parsed = JSON.parse(data) as { json?: Message };
        if (parsed.json) handle(parsed.json);
      }
    }
  }

  async function run(): Promise<void> {
    let delay = options.reconnectMs ?? 500;
    let renew = false;
    while (!closed) {
      try {
        await connect(renew);
        renew = false;
        delay = options.reconnectMs ?? 500;
      } catch (error) {
        if (closed) return;
        // An expired token (401, or the stream's REALTIME_TOKEN_EXPIRED) is renewed before reconnecting.
        renew = (error as { status?: number }).status === 401;
      }
      live = false;
      prune();
      if (closed) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(30_000, delay * 2);
    }
  }

  function start(): Promise<void> {
    return (started ??= new Promise<void>((resolve) => {
      onReady = resolve;
      void run();
    }));
  }

  const check: RevocationCheck = async (raw, verified) => {
    if (!started) void start();
    const { claims } = verified;
    for (const key of revocationKeysOf(claims)) if (revoked.has(key)) return true;
    const ended = usersEnded.get(claims.sub);
    if (ended !== undefined && claims.iat * 1000 <= ended) return true;
    if ((!live || now() < fallbackUntil) && options.fallback) return options.fallback(raw, verified);
    return false;
  };

  return {
    check,
    start,
    close() {
      closed = true;
      live = false;
      abort?.abort();
    },
    get live() {
      return live;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
