import type { AppError } from '@plinto/kernel';
import type { FrameShape, FrameSink } from './live';
import type { RealtimeEvent } from './streams';

/** An event as the bus hands it to this process's subscriptions. */
export interface BusItem {
  /** Its resumable id (the tenant log's entry id). */
  id: string;
  event: RealtimeEvent;
}

/** Told to a subscription after the bus connection came back: events may have been missed meanwhile. */
export const RESYNC = Symbol('resync');

export type QueueItem = BusItem | typeof RESYNC;

/** A Redis stream id as two numbers (milliseconds, sequence): compared without parsing per subscriber. */
export function idOrder(id: string): [number, number] {
  const dash = id.indexOf('-');
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

/** What the hub needs to write a subscription's live events itself (see live.ts). */
export interface LiveRoute {
  shape: FrameShape;
  sink: FrameSink;
  /** Its audience's key: the hub decides each event once per audience. */
  audience: string;
}

/**
 * One subscription's inbox: the bus pushes, the subscription's loop pulls. Bounded: a subscriber
 * that does not keep up is dropped (`onOverflow`) instead of growing memory or slowing the bus.
 */
export class Inbox {
  private readonly items: QueueItem[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private failure: AppError | null = null;
  private ended = false;
  /** The id of the last event this subscription handled (delivered or not its to see): never twice. */
  last: string | null = null;
  private lastMs = -1;
  private lastSeq = -1;
  /** Set while the hub writes live events straight to the socket (the fast path); null: they queue here. */
  live: LiveRoute | null = null;

  constructor(
    readonly tenantId: string,
    private readonly capacity: number,
    private readonly onOverflow: () => void,
  ) {}

  get pending(): number {
    return this.items.length - this.head;
  }

  get done(): boolean {
    return this.ended || this.failure !== null;
  }

  /** Marks `id` handled (its numbers, when the caller already has them). */
  handled(id: string, order: [number, number] = idOrder(id)): void {
    this.last = id;
    this.lastMs = order[0];
    this.lastSeq = order[1];
  }

  /** Whether an event is newer than the last one handled. */
  isNew(order: [number, number]): boolean {
    if (this.last === null) return true;
    return order[0] > this.lastMs || (order[0] === this.lastMs && order[1] > this.lastSeq);
  }

  push(item: QueueItem): void {
    if (this.ended || this.failure) return;
    if (this.pending >= this.capacity) {
      this.onOverflow();
      return;
    }
    this.items.push(item);
    this.notify();
  }

  /** Ends the subscription with an error (revoked, expired, forbidden, slow). */
  fail(error: AppError): void {
    if (this.failure || this.ended) return;
    this.failure = error;
    this.notify();
  }

  /** Ends the subscription quietly (the client stopped it). */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The next item; null once ended; throws the failure. */
  async next(): Promise<QueueItem | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.pending > 0) {
        const item = this.items[this.head++]!;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items.splice(0, this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
