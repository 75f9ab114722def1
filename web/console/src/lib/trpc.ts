import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';
import type { AppRouter } from '@plinto/api';
import { csrfHeaders, streamParams } from './csrf';

export type { AppRouter };
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * The console's one tRPC client. The credential is the hosted pages' HttpOnly session cookie (sent
 * by the browser, never visible to this code); the tenant is the one in the URL. Nothing is kept
 * in localStorage or sessionStorage.
 */
export function createConsoleClient(tenant: () => string): TRPCClient<AppRouter> {
  const common = {
    url: '/trpc',
    transformer: superjson,
    headers: () => ({ 'x-plinto-tenant': tenant(), ...csrfHeaders() }),
    fetch: (url: URL | RequestInfo, init?: RequestInit) => fetch(url, { ...init, credentials: 'same-origin' }),
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        // Live events (realtime.*) over SSE: the browser's EventSource, same origin, so it carries
        // the session cookie by itself; the tenant (and the operator flag) go in the connection
        // params because EventSource sends no headers.
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: '/trpc', transformer: superjson, connectionParams: () => ({ tenant: tenant(), ...streamParams() }) }),
        false: splitLink({
          // The audit export is a streamed query: its chunks arrive as they are read.
          condition: (op) => op.path === 'auditLogs.export',
          true: httpBatchStreamLink(common),
          false: httpBatchLink(common),
        }),
      }),
    ],
  });
}
