import type { AppError } from '@plinto/kernel';
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

  constructor(
    readonly tenantId: string,
    private readonly capacity: number,
    private readonly onOverflow: () => void,
  ) {}

  get pending(): number {
    return this.items.length - this.head;
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
