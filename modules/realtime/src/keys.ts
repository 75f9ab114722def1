/**
 * Redis names of the realtime bus. Under a Redis Cluster the deployment's QUEUE_PREFIX carries a
 * hash tag, so a tenant's log and its dedupe keys share a slot (the publish script touches both).
 */
export const realtimeKeys = (prefix: string) => ({
  /** The one channel every api process subscribes to. */
  channel: `${prefix}:rt:events`,
  /** A tenant's recent events (a Redis stream): its entry ids are the resumable event ids. */
  log: (tenantId: string) => `${prefix}:rt:log:${tenantId}`,
  /** Marks an event published (at-least-once delivery of the consumer job must not publish twice). */
  seen: (tenantId: string, eventId: string) => `${prefix}:rt:seen:${tenantId}:${eventId}`,
});

/** A Redis stream entry id (`<ms>-<seq>`). */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Orders two stream ids. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}
