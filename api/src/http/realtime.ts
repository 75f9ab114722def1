import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { getWSConnectionHandler, jsonEncoder } from '@trpc/server/adapters/ws';
import { transformTRPCResponse } from '@trpc/server/unstable-core-do-not-import';
import { AppError, bearerToken, callFacts, requirePrincipal, type CallFacts, type Config, type Context, type Logger, type ServiceContext } from '@plinto/kernel';
import {
  attachConnection,
  bindFrameShape,
  CLOSE_CODES,
  ReadyMessage,
  realtimeConfig,
  REALTIME_HUB,
  RealtimeErrors,
  type CloseCode,
  type FrameShape,
  type RealtimeConfig,
  type RealtimeHub,
  type RealtimeMessage,
} from '@plinto/realtime';
import type { ServiceRegistry } from '@plinto/kernel';
import type { AnyRouter } from '@trpc/server';
import type { Request, Response, NextFunction } from 'express';
import { sendError } from './error-body';
import { browserSessionPrincipal, comesFromOrigin, type BrowserSessionDeps } from './browser-session';
import { operatorPrincipalOf, OPERATOR_HEADER } from './operator-session';

/** The cookie a browser page may carry its access token in (HttpOnly, set by the app's own backend or the hosted pages). */
export const ACCESS_TOKEN_COOKIE = 'plinto_access_token';

type ServiceContextOf = (facts: CallFacts) => Promise<ServiceContext>;

/**
 * Whether a browser origin may subscribe: Plinto's own (the console, the hosted pages) or one of
 * REALTIME_ALLOWED_ORIGINS. No Origin header: not a browser (a server), or a same-origin GET.
 */
export function originAllowed(origin: string | undefined, settings: RealtimeConfig, ownOrigin?: string): boolean {
  if (!origin || origin === ownOrigin) return true;
  const allowed = settings.REALTIME_ALLOWED_ORIGINS;
  return allowed.includes('*') || allowed.includes(origin.toLowerCase().replace(/\/+$/, ''));
}

/**
 * The console's cookies as stream credentials: the tenant's browser session (`plinto_s_{tenant}`)
 * or, when the stream asks for it, the platform operator's (`plinto_op`). EventSource cannot send
 * headers, so the tenant and the operator flag travel in tRPC's connection params
 * (`{ tenant, operator: '1' }`) — and, since no CSRF header can be required of a GET, a cookie
 * counts only on a request from Plinto's own origin (Origin, when sent, is PUBLIC_URL's and
 * Sec-Fetch-Site is not cross- or same-site). REALTIME_ALLOWED_ORIGINS open streams to other
 * origins' tokens, never to these cookies: a page elsewhere on the same site (another port, a
 * sibling subdomain: the cookies are sent there) cannot read a signed-in admin's events.
 */
export interface CookieCredentials {
  sessions: BrowserSessionDeps;
}

export function cookieCredentials(sessions: BrowserSessionDeps): CookieCredentials {
  return { sessions };
}

/** PUBLIC_URL's origin, read when asked: a server started on port 0 learns its URL after the app is made. */
const ownOriginOf = (config: Config): string => new URL(config.PUBLIC_URL).origin;

function cookiePrincipal(req: IncomingMessage, connectionParams: Record<string, string | undefined> | null | undefined, tenantSlug: string, cookies: CookieCredentials): CallFacts['browserSession'] {
  if (!comesFromOrigin(req, ownOriginOf(cookies.sessions.config))) return undefined;
  if (connectionParams?.operator === '1' || req.headers[OPERATOR_HEADER] === '1') return (em) => operatorPrincipalOf(req, cookies.sessions.config, em);
  return browserSessionPrincipal(cookies.sessions, req, tenantSlug) ?? undefined;
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/** The access token's `exp` (ms), read from a token already verified by the context factory. */
export function expiryOf(bearer: string | null, sc: ServiceContext): number | null {
  const fromPrincipal = sc.principal?.attributes.expiresAt;
  if (typeof fromPrincipal === 'number') return fromPrincipal * 1000;
  if (!bearer || bearer.split('.').length !== 3) return null; // API keys do not expire by time
  try {
    const exp = (JSON.parse(Buffer.from(bearer.split('.')[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The facts of a realtime call: the bearer from the Authorization header, else the tRPC
 * connection params (`{ token, tenant }`: WebSocket clients, and EventSource where no header can
 * be set), else the access-token cookie (browsers), else — on a request from Plinto's own origin
 * only — the console's session cookies (see CookieCredentials).
 */
export function realtimeFacts(req: IncomingMessage & { id?: string }, connectionParams: Record<string, string | undefined> | null | undefined, cookies?: CookieCredentials): CallFacts {
  const facts = callFacts(req);
  const bearer = bearerToken(req) ?? connectionParams?.token ?? cookieValue(req, ACCESS_TOKEN_COOKIE);
  const tenant = connectionParams?.tenant?.trim().toLowerCase();
  const tenantSlug = facts.tenantSlug ?? (tenant || null);
  // The console's session cookies, last: any token sent wins, as on /trpc.
  const browserSession = !bearer && cookies ? cookiePrincipal(req, connectionParams, tenantSlug ?? 'default', cookies) : undefined;
  return { ...facts, bearer, tenantSlug, ...(browserSession ? { browserSession } : {}) };
}

/**
 * Checks the credential again: a token that no longer holds throws 401; a session cookie whose
 * session ended leaves the call anonymous, which for a stream is a revocation too.
 */
const verifierOf = (serviceContextOf: ServiceContextOf, facts: CallFacts) => async () => {
  const sc = await serviceContextOf(facts);
  if (!sc.principal) throw RealtimeErrors.REALTIME_SESSION_REVOKED();
};

/** Connections whose credential checks answer the same: same bearer, address and named tenant. */
function verifyKeyOf(facts: CallFacts): string | undefined {
  if (typeof facts.bearer !== 'string') return undefined;
  return `${facts.bearer}\u0000${facts.request.ip ?? ''}\u0000${facts.tenantSlug ?? ''}`;
}

const isEventStream = (req: IncomingMessage) => (req.headers.accept ?? '').includes('text/event-stream');

/**
 * /trpc's context for SSE subscriptions (tRPC's httpSubscriptionLink): the credential may come
 * from connection params or the cookie too, and the call gets a realtime connection (limits,
 * revocation, expiry) opened when its subscription starts. Every other call gets the usual context.
 */
export function realtimeHttpContext<Opts extends { req: Request; res: Response; info?: { connectionParams?: Record<string, string | undefined> | null } }>(
  createContext: (opts: Opts) => Promise<Context>,
  deps: { serviceContextOf: ServiceContextOf; services: ServiceRegistry; config: Config; logger: Logger; cookies?: CookieCredentials },
) {
  return async (opts: Opts): Promise<Context> => {
    if (!isEventStream(opts.req)) return createContext(opts);
    const { req, res } = opts;
    const facts = realtimeFacts(req, opts.info?.connectionParams, deps.cookies);
    let built: Promise<ServiceContext> | undefined;
    const ctx: Context = { request: facts.request, config: deps.config, logger: deps.logger, serviceContext: () => (built ??= deps.serviceContextOf(facts)) };
    const hub = deps.services.get(REALTIME_HUB);
    attachConnection(ctx, (sc) => {
      const connection = hub.open(
        { principal: requirePrincipal(sc), tenantId: sc.tenant.id, expiresAt: expiryOf(facts.bearer as string | null, sc), verify: verifierOf(deps.serviceContextOf, facts), verifyKey: verifyKeyOf(facts) },
        {
          // The stream ends with the error event; a client that stopped reading is cut off shortly after.
          close: () => void setTimeout(() => res.destroy(), 1000).unref(),
          bufferedBytes: () => res.writableLength,
        },
        'sse',
      );
      res.once('close', () => hub.release(connection, 'sse'));
      return connection;
    });
    return ctx;
  };
}

/** CORS for SSE subscriptions from allowed browser origins; other origins are refused (403). */
export function realtimeCors(config: Config) {
  const settings = realtimeConfig(config);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (!origin || !isEventStream(req) || origin === ownOriginOf(config)) return next();
    if (!originAllowed(origin, settings)) return void sendError(res, 'REALTIME_ORIGIN_REFUSED');
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    next();
  };
}

/**
 * A whole WebSocket text frame (RFC 6455: FIN, opcode 1, unmasked as a server sends it, no
 * compression — /ws offers none) around `payload`: the bytes ws's own `send` writes for it.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, header);
  return frame;
}

/**
 * tRPC's own WebSocket encoding (JSON text frames), which also tells a realtime subscription its
 * frame shape when its `ready` goes out: from then on the hub writes its live events as frames
 * encoded once per event and shape (the live fast path of @plinto/realtime), built by the same
 * tRPC functions the adapter uses for every other message — the bytes a client receives are the
 * same either way.
 */
function realtimeFrameEncoder(router: AnyRouter) {
  const config = router._def._config;
  const shapes = new Map<string, FrameShape>();
  const shapeOf = (id: string | number, jsonrpc: '2.0' | undefined): FrameShape => {
    const key = `${JSON.stringify(id)}|${jsonrpc ?? ''}`;
    let shape = shapes.get(key);
    if (!shape) {
      shape = {
        key,
        // As the adapter answers a subscription's tracked item: { id, jsonrpc, result: { type, data: { id, data }, id } },
        // framed as ws frames a text message (one Buffer, written as is to every socket of the shape).
        encode: (message: RealtimeMessage) =>
          textFrame(Buffer.from(jsonEncoder.encode(transformTRPCResponse(config, { id, jsonrpc, result: { type: 'data', data: { id: message.id, data: message }, id: message.id } } as never)))),
      };
      // Subscription ids are the client's (wsLink counts from 1 per connection): a handful of shapes in practice.
      if (shapes.size < 1000) shapes.set(key, shape);
    }
    return shape;
  };
  return {
    encode(data: unknown) {
      const response = data as { id?: string | number; jsonrpc?: '2.0'; result?: { data?: { json?: { data?: unknown } } } };
      const ready = response.result?.data?.json?.data;
      if (ready instanceof ReadyMessage && response.id !== undefined && response.id !== null) bindFrameShape(ready, shapeOf(response.id, response.jsonrpc));
      return jsonEncoder.encode(data);
    },
    decode: jsonEncoder.decode,
  };
}

/** How long a drained WebSocket client has to complete the close handshake before its socket is cut. */
const DRAIN_GRACE_MS = 2000;

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * `/ws`: tRPC over WebSocket (wsLink), the same router and the same service contexts as /trpc.
 * The Origin is checked before the upgrade; the credential when the connection params arrive
 * (close 4401 when missing or invalid); each connection is a realtime connection of the hub.
 */
export function attachWebSocket(
  server: Server,
  deps: {
    router: AnyRouter;
    serviceContextOf: ServiceContextOf;
    services: ServiceRegistry;
    config: Config;
    logger: Logger;
    /** The console's session cookies, accepted from Plinto's own origin. */
    cookies?: CookieCredentials;
    /** Other WebSocket endpoints by path (GraphQL's /graphql), behind the same Origin check. */
    upgrades?: Record<string, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
  },
): { close(): Promise<void> } {
  const settings = realtimeConfig(deps.config);
  const hub: RealtimeHub = deps.services.get(REALTIME_HUB);
  // No compression: the fast path writes one pre-encoded frame to every socket, and ws's sender never queues (see frames.write).
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.REALTIME_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  /** Each WebSocket's TCP socket (from the upgrade): where the fast path writes its pre-encoded frames. */
  const sockets = new WeakMap<WebSocket, Duplex>();
  const closeWith = (ws: WebSocket, code: CloseCode, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  };

  const createContext = async ({ req, res: ws, info }: { req: IncomingMessage; res: WebSocket; info: { connectionParams: Record<string, string | undefined> | null } }): Promise<Context> => {
    const facts = realtimeFacts(req, info.connectionParams, deps.cookies);
    let sc: ServiceContext;
    try {
      sc = await deps.serviceContextOf(facts);
      if (!sc.principal) throw RealtimeErrors.REALTIME_SESSION_REVOKED({ message: 'A credential is required' });
    } catch (error) {
      if (error instanceof AppError && error.status === 401) closeWith(ws, CLOSE_CODES.UNAUTHENTICATED, 'UNAUTHENTICATED');
      throw error;
    }
    const socket = sockets.get(ws);
    let connection;
    try {
      connection = hub.open(
        { principal: sc.principal, tenantId: sc.tenant.id, expiresAt: expiryOf(facts.bearer as string | null, sc), verify: verifierOf(deps.serviceContextOf, facts), verifyKey: verifyKeyOf(facts) },
        {
          close: (code, reason) => closeWith(ws, code, reason),
          bufferedBytes: () => ws.bufferedAmount,
          // The live fast path: one shared, pre-encoded text frame per event and shape, written
          // straight to the socket — one write, no per-socket header or copy. ws writes its own
          // frames to the same socket synchronously in call order (without compression its sender
          // never queues), so the two interleave as whole frames, in order; `bufferedAmount` counts both.
          frames: { write: (frame) => void (ws.readyState === ws.OPEN && socket?.write(frame)) },
        },
        'ws',
      );
    } catch (error) {
      if (error instanceof AppError && error.status === 429) closeWith(ws, CLOSE_CODES.TOO_MANY_CONNECTIONS, 'TOO_MANY_CONNECTIONS');
      throw error;
    }
    ws.once('close', () => hub.release(connection, 'ws'));
    // Each call checks the credential again (a fresh service context, a fresh EntityManager).
    const ctx: Context = { request: facts.request, config: deps.config, logger: deps.logger, serviceContext: () => deps.serviceContextOf(facts) };
    attachConnection(ctx, connection);
    return ctx;
  };

  const handle = getWSConnectionHandler({
    wss,
    router: deps.router,
    createContext: createContext as never,
    experimental_encoder: realtimeFrameEncoder(deps.router),
    keepAlive: { enabled: true, pingMs: settings.REALTIME_HEARTBEAT_MS, pongWaitMs: Math.min(10_000, settings.REALTIME_HEARTBEAT_MS) },
    onError: ({ error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') deps.logger.error({ err: error.cause ?? error }, 'realtime call failed');
    },
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const other = path ? deps.upgrades?.[path] : undefined;
    if (path !== '/ws' && !other) return refuseUpgrade(socket, 404, 'Not Found');
    if (!originAllowed(req.headers.origin, settings, ownOriginOf(deps.config))) return refuseUpgrade(socket, 403, 'Forbidden');
    if (other) return other(req, socket, head);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.set(ws, socket);
      handle(ws, req);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    /** Refuses new sockets; those still open after the hub's drain (1012) get a moment to say goodbye, then are cut. */
    async close() {
      server.off('upgrade', onUpgrade);
      wss.close();
      const deadline = Date.now() + DRAIN_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of wss.clients) ws.terminate();
    },
  };
}
