/// <reference lib="dom" />
/**
 * A browser page of an application on another origin: it subscribes to its user's stream over SSE
 * with tRPC's httpSubscriptionLink (the browser's own EventSource, credentials included: the
 * access token travels in an HttpOnly cookie, never in page script or storage) and reacts when its
 * session is revoked elsewhere.
 */
import { createTRPCClient, httpSubscriptionLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@plinto/api';

declare const PLINTO_API_URL: string;

const status = document.getElementById('status')!;
const log = document.getElementById('events')!;
const client = createTRPCClient<AppRouter>({
  links: [httpSubscriptionLink({ url: `${PLINTO_API_URL}/trpc`, transformer: superjson, eventSourceOptions: { withCredentials: true } })],
});

client.realtime.user.subscribe(undefined, {
  onData: ({ data }) => {
    if (data.kind === 'ready') status.textContent = 'live';
    if (data.kind === 'event') {
      const item = document.createElement('li');
      item.textContent = data.event.type;
      log.append(item);
    }
  },
  onError: (error) => {
    const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
    status.textContent = code === 'REALTIME_SESSION_REVOKED' ? 'signed out elsewhere' : `stopped: ${code ?? 'unknown'}`;
    document.body.dataset.ended = code ?? 'unknown';
  },
});
