import type { DomainEvent } from '../events/record';

/**
 * Observers of every domain event recorded in this process (the api counts lockouts, refresh-token
 * reuse and issued tokens from them). Called when the event's rows are built, inside the request,
 * so a transaction that later rolls back has still been counted — rare, and only ever an outage.
 * An observer must be cheap and must not throw.
 */
type Observer = (event: DomainEvent) => void;

const observers: Observer[] = [];

export function observeRecordedEvents(observer: Observer): () => void {
  observers.push(observer);
  return () => {
    const at = observers.indexOf(observer);
    if (at >= 0) observers.splice(at, 1);
  };
}

export function notifyRecorded(event: DomainEvent): void {
  for (const observe of observers) {
    try {
      observe(event);
    } catch {
      // Metrics never break a write.
    }
  }
}
