import type { Context, ServiceContext } from '@plinto/kernel';
import type { RealtimeConnection } from './connection';

/**
 * How a transport hands its connection to the subscription procedures: a WebSocket's connection
 * is opened once (when its context is made) and shared by its subscriptions; an SSE request's is
 * opened when its one subscription starts (from the call's service context).
 */
export type ConnectionSource = RealtimeConnection | ((sc: ServiceContext) => RealtimeConnection);

/**
 * Keyed by the context's `serviceContext` function: tRPC middlewares hand procedures a merged
 * copy of the context, but its members are the transport's own.
 */
const byContext = new WeakMap<object, ConnectionSource>();

/** Called by the api's transports on the tRPC context they made. */
export function attachConnection(ctx: Context, source: ConnectionSource): void {
  byContext.set(ctx.serviceContext, source);
}

/** The connection a procedure's subscription runs on (undefined: it gets its own). */
export function connectionOf(ctx: Context, sc: ServiceContext): RealtimeConnection | undefined {
  const source = byContext.get(ctx.serviceContext);
  if (typeof source !== 'function') return source;
  const connection = source(sc);
  byContext.set(ctx.serviceContext, connection);
  return connection;
}
