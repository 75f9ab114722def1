import type { EntityManager } from '@mikro-orm/core';

/**
 * Wakes the outbox relay (and the audit chainer) after a commit that wrote outbox rows, with a
 * NOTIFY sent on its own, outside the request's transaction. A transaction that sends even one
 * NOTIFY takes a database-wide lock at commit, so notifying commits run one at a time: a trigger
 * on `outbox` did that to every write. Here at most one NOTIFY per process is in flight, at most one
 * every MIN_INTERVAL_MS, and only when events were recorded since the last one; the relay polls
 * anyway (OUTBOX_POLL_INTERVAL_MS), so a lost wake-up costs latency, never a row. The interval
 * also batches: each wake-up costs the relay and the audit chainer a transaction each, so waking
 * them on every commit (as the trigger did) under load meant many tiny batches; at most 40 a
 * second per process lets the rows of a busy 25 ms go in one.
 */
const MIN_INTERVAL_MS = 25;

let recorded = false;
let inFlight = false;
let again = false;
let lastSentAt = 0;
let disabled = false;

/** Called whenever event rows are built (they go to the outbox with the caller's transaction). */
export function noteOutboxWrite(): void {
  recorded = true;
}

/** A transaction (or a single autocommitted statement) committed: wake the relay if it wrote rows. */
export function outboxCommitted(em: EntityManager): void {
  if (!recorded || disabled) return;
  recorded = false;
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  const wait = Math.max(0, lastSentAt + MIN_INTERVAL_MS - Date.now());
  const send = async () => {
    try {
      lastSentAt = Date.now();
      await em.getConnection().execute(`select pg_notify('plinto_outbox', '')`);
    } catch {
      // The relay polls anyway.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        recorded = true;
        outboxCommitted(em);
      }
    }
  };
  if (wait > 0) setTimeout(() => void send(), wait).unref();
  else void send();
}

/** Tests that count NOTIFYs (or processes without a relay to wake) can turn the signal off. */
export function setOutboxWakeups(enabled: boolean): void {
  disabled = !enabled;
}
