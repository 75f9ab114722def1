import { createTRPCClient, createWSClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink, wsLink, type TRPCClient, type TRPCLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../generated/router.js';
import { refreshOnUnauthorizedLink } from './links.js';
import { TokenManager, sessionTokensOf, type SessionTokens } from './tokens.js';

export type SubscriptionTransport =
  /** Server-sent events at `{url}/trpc` (works through any HTTP proxy). */
  | { transport: 'sse' }
  /** A WebSocket (`wss://…/ws` by default). */
  | { transport: 'ws'; url?: string };

export interface PlintoClientOptions {
  /** Plinto's base URL (PUBLIC_URL), e.g. `https://id.example.com`. */
  url: string;
  /** The tenant's slug: sent as X-Plinto-Tenant, and the issuer the session refreshes at. */
  tenant: string;
  /** A signed-in session to resume (tokens you persisted from `onTokens`). */
  session?: SessionTokens | null;
  /** Hears every new token pair (persist it) and `null` when the session ends. */
  onTokens?: (tokens: SessionTokens | null) => void | Promise<void>;
  /** Instead of a session: a fixed credential (an API key or a machine token). */
  apiKey?: string;
  /** Combine calls made in the same tick into one HTTP request. Default true. */
  batch?: boolean;
  /** How subscriptions travel (realtime). Default: SSE. */
  subscriptions?: SubscriptionTransport;
  /** Refresh this long before expiry, in ms. Default 30 000. */
  refreshLeewayMs?: number;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface PlintoClient {
  /** The typed tRPC client: `plinto.trpc.users.list.query(...)`. */
  trpc: TRPCClient<AppRouter>;
  tokens: TokenManager;
  /** Signs in with email and password; the session is kept (and refreshed) by this client. */
  signIn(input: { email: string; password: string }): Promise<{ status: 'signed_in' | 'mfa_required' }>;
  signOut(): Promise<void>;
  /** Closes a WebSocket, if one was opened. */
  close(): void;
}

/**
 * A typed Plinto client: HTTP batching, the tenant header, access tokens refreshed before they
 * expire (single flight, rotation-aware) and once more after a 401, and subscriptions over SSE or
 * WebSocket. Types come from `@plinto/sdk/router`, which holds no server code.
 */
export function createPlintoClient(options: PlintoClientOptions): PlintoClient {
  const base = options.url.replace(/\/+$/, '');
  const tokens = new TokenManager({ url: base, tenant: options.tenant, initial: options.session ?? null, onTokens: options.onTokens, fetch: options.fetch, refreshLeewayMs: options.refreshLeewayMs });
  const credential = async () => options.apiKey ?? (await tokens.accessToken());
  const headers = async () => {
    const token = await credential();
    return { ...options.headers, 'x-plinto-tenant': options.tenant, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
  const connectionParams = async () => {
    const token = await credential();
    return { tenant: options.tenant, ...(token ? { token } : {}) };
  };
  const http = (options.batch ?? true) ? httpBatchLink : httpLink;
  const request = http<AppRouter>({ url: `${base}/trpc`, transformer: superjson, headers, fetch: options.fetch });
  let ws: ReturnType<typeof createWSClient> | null = null;
  const subscriptions = options.subscriptions ?? { transport: 'sse' };
  const subscription: TRPCLink<AppRouter> =
    subscriptions.transport === 'ws'
      ? wsLink<AppRouter>({ client: (ws = createWSClient({ url: subscriptions.url ?? `${base.replace(/^http/, 'ws')}/ws`, connectionParams, lazy: { enabled: true, closeMs: 10_000 } })), transformer: superjson })
      : httpSubscriptionLink<AppRouter, typeof EventSource>({ url: `${base}/trpc`, transformer: superjson, connectionParams });
  const trpc = createTRPCClient<AppRouter>({
    links: [refreshOnUnauthorizedLink(tokens), splitLink({ condition: (op) => op.type === 'subscription', true: subscription, false: request })],
  });

  return {
    trpc,
    tokens,
    async signIn(input) {
      const result = await trpc.auth.signIn.mutate(input);
      if (result.status !== 'signed_in') return { status: result.status };
      await tokens.set(sessionTokensOf(result));
      return { status: 'signed_in' };
    },
    async signOut() {
      if (tokens.current) await trpc.auth.signOut.mutate({}).catch(() => undefined);
      await tokens.set(null);
    },
    close() {
      ws?.close();
    },
  };
}
