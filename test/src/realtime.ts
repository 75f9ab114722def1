import { createTRPCClient, createWSClient, httpSubscriptionLink, wsLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import WebSocket from 'ws';
import type { AppRouter } from '@plinto/api';
import type { RealtimeMessage } from '@plinto/realtime';

/**
 * Real tRPC clients of the realtime endpoints, as an application uses them: `wsLink` over `/ws`
 * (token in the connection params) and `httpSubscriptionLink` over `/trpc` (SSE, token in the
 * Authorization header through an EventSource that can send one).
 */
export interface RealtimeClient {
  trpc: TRPCClient<AppRouter>;
  /** Close codes the WebSocket saw (empty for SSE). */
  closes: number[];
  close(): void;
}

export function wsRealtimeClient(baseUrl: string, options: { token: string | (() => string); tenant?: string; retryDelayMs?: number; WebSocket?: typeof WebSocket }): RealtimeClient {
  const closes: number[] = [];
  const client = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/ws`,
    WebSocket: (options.WebSocket ?? WebSocket) as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token: typeof options.token === 'function' ? options.token() : options.token, ...(options.tenant ? { tenant: options.tenant } : {}) }),
    retryDelayMs: () => options.retryDelayMs ?? 100,
    onClose: (cause) => void closes.push(cause?.code ?? 0),
  });
  const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client, transformer: superjson })] });
  return { trpc, closes, close: () => void client.close() };
}

export function sseRealtimeClient(baseUrl: string, options: { token: string; tenant?: string }): RealtimeClient {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, ...(options.tenant ? { 'x-plinto-tenant': options.tenant } : {}) };
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        transformer: superjson,
        EventSource,
        eventSourceOptions: () => ({ fetch: (input: string | URL, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) }),
      }),
    ],
  });
  return { trpc, closes: [], close: () => undefined };
}

/** What one subscription received, in order, and how it ended. */
export interface Received {
  messages: RealtimeMessage[];
  events: () => Extract<RealtimeMessage, { kind: 'event' }>['event'][];
  ready: Promise<RealtimeMessage>;
  error: TRPCClientError<AppRouter> | null;
  ended: Promise<TRPCClientError<AppRouter> | null>;
  unsubscribe(): void;
}

type Subscribable = { subscribe(input: any, opts: { onData(data: { id: string; data: RealtimeMessage }): void; onError(error: unknown): void; onComplete?(): void }): { unsubscribe(): void } };

/** Subscribes and records every message; `ready` resolves on the server's `ready`, `ended` on the error or completion. */
export function record(procedure: Subscribable, input: unknown): Received {
  const messages: RealtimeMessage[] = [];
  let markReady!: (m: RealtimeMessage) => void;
  let failReady!: (e: unknown) => void;
  let markEnded!: (e: TRPCClientError<AppRouter> | null) => void;
  const ready = new Promise<RealtimeMessage>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
  ready.catch(() => undefined);
  const ended = new Promise<TRPCClientError<AppRouter> | null>((resolve) => (markEnded = resolve));
  const received: Received = {
    messages,
    events: () => messages.flatMap((m) => (m.kind === 'event' ? [m.event] : [])),
    ready,
    error: null,
    ended,
    unsubscribe: () => subscription.unsubscribe(),
  };
  const subscription = procedure.subscribe(input, {
    onData: ({ data }) => {
      messages.push(data);
      if (data.kind === 'ready') markReady(data);
    },
    onError: (error) => {
      received.error = error as TRPCClientError<AppRouter>;
      failReady(error);
      markEnded(received.error);
    },
    onComplete: () => markEnded(null),
  });
  return received;
}

/** The HTTP status a subscription ended with (from the error's data), or 0 when it did not fail. */
export const statusOfError = (error: unknown): number => (error instanceof TRPCClientError ? ((error.data as { httpStatus?: number } | undefined)?.httpStatus ?? 0) : 0);
export const codeOfError = (error: unknown): string | undefined => (error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined);
