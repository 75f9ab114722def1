import { counter, gauge, histogram } from '@plinto/kernel';

/** Realtime metrics of this api process (served at /metrics). */
export const realtimeMetrics = {
  connections: gauge<'transport'>({ name: 'plinto_realtime_connections', help: 'Open realtime connections', labelNames: ['transport'] }),
  subscriptions: gauge({ name: 'plinto_realtime_subscriptions', help: 'Active realtime subscriptions' }),
  live: gauge({ name: 'plinto_realtime_live_subscriptions', help: 'Subscriptions whose live events are written straight to their socket (the WebSocket fast path)' }),
  delivered: counter({ name: 'plinto_realtime_events_delivered_total', help: 'Events handed to subscribers' }),
  dropped: counter<'reason'>({ name: 'plinto_realtime_events_dropped_total', help: 'Events not delivered: slow consumer, or the subscriber may not see them', labelNames: ['reason'] }),
  closed: counter<'reason'>({ name: 'plinto_realtime_connections_closed_total', help: 'Connections ended by the server, by reason', labelNames: ['reason'] }),
  fanOutSeconds: histogram({
    name: 'plinto_realtime_fanout_seconds',
    help: 'From the event being recorded to its delivery to a subscriber',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
};
