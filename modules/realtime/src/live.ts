import type { ServiceContext } from '@plinto/kernel';
import type { RealtimeMessage, StreamSpec } from './streams';

/**
 * The live fast path of a subscription whose transport writes frames itself (tRPC over WebSocket).
 *
 * Once such a subscription is caught up and its `ready` was sent, the hub hands it its live events
 * directly instead of through its loop (an inbox, an async generator, tRPC's per-socket
 * transform and encoding): it decides each event once per audience — subscribers whose
 * credential, stream and address are the same, so the engine would answer them the same — encodes
 * it once per frame shape and writes the same bytes to every socket allowed to see it. Anything
 * that needs a subscriber's own asynchronous work (permissions that may have changed, a revoked
 * session, a bus resync) sends the subscription back through its loop, which then takes the fast
 * path again once it has caught up.
 */

/** How one subscription's frames are encoded: same shape (subscription id, protocol), same bytes. */
export interface FrameShape {
  /** Equal for subscriptions whose frames of an event are byte-identical. */
  readonly key: string;
  /** The frame carrying `message` (the whole wire frame), exactly as the transport's own encoding would write it. */
  encode(message: RealtimeMessage): Buffer;
}

/** A transport that can write pre-encoded frames (a WebSocket): the fast path's end. */
export interface FrameSink {
  /** Writes the frame's bytes as they are (the same Buffer to many sinks: never modified). */
  write(frame: Buffer): void;
}

/**
 * The `ready` message of a subscription that may take the fast path. It is an ordinary message to
 * every encoder (same enumerable fields, same JSON: `{"id":…,"kind":"ready"}`); the WebSocket
 * transport's encoder recognizes it and tells the subscription its frame shape — the only thing
 * the subscription cannot know itself (the tRPC subscription id).
 */
export class ReadyMessage {
  readonly id: string;
  readonly kind = 'ready' as const;
  constructor(id: string) {
    this.id = id;
  }
}

const shapeListeners = new WeakMap<ReadyMessage, (shape: FrameShape) => void>();

/** Called by a subscription before it yields its `ready`: `bound` learns the frame shape when it is sent. */
export function onFrameShape(ready: ReadyMessage, bound: (shape: FrameShape) => void): void {
  shapeListeners.set(ready, bound);
}

/** Called by the transport's encoder when it writes a `ready`: the subscription may go live. */
export function bindFrameShape(ready: ReadyMessage, shape: FrameShape): void {
  const bound = shapeListeners.get(ready);
  shapeListeners.delete(ready);
  bound?.(shape);
}

/** Stable JSON (sorted keys): two credentials are the same when their attributes are. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(',')}}`;
}

/**
 * Who an event is decided for: the stream (kind, organization, types) and everything the engine's
 * decision reads of the caller — principal, its attributes (roles, session, assurance level), its
 * tenant as loaded (its settings: a required second factor), its address (IP conditions).
 * Subscribers with the same key get the same decision, and share one service context (hub.ts).
 */
export function audienceKey(sc: ServiceContext, stream: StreamSpec): string {
  const principal = sc.principal!;
  return [stableJson(stream), principal.kind, principal.id, principal.tenantId ?? '', stableJson(sc.tenant), sc.request.ip ?? '', stableJson(principal.attributes)].join('\u0000');
}
