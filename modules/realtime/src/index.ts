/**
 * @plinto/realtime — live events over WebSocket (`/ws`) and SSE (`/trpc`): tRPC subscriptions fed
 * by the event spine (the `events.realtime` consumer publishes to Redis; every api process
 * subscribes once and fans out to its connections), authorized per subscriber and per event,
 * resumable by last event id, closed within a second when the session is revoked.
 *
 * Other transports (GraphQL subscriptions) reuse `subscribe(sc, { stream, lastEventId, signal })`.
 */
import { createRedis, defineModule } from '@plinto/kernel';
import { realtimeConfig, realtimeConfigSchema } from './config';
import { RealtimeHub, REALTIME_HUB } from './hub';
import { realtimePublisher, REALTIME_PUBLISHER_REDIS } from './publisher';
import { realtimeRouter } from './router';
import { subscribe } from './subscribe.service';
import { TENANT_STREAM_PERMISSION } from './streams';

export { subscribe, type SubscribeOptions } from './subscribe.service';
export { streamSchema, matchesTypes, isAboutUser, TENANT_STREAM_PERMISSION, ORGANIZATION_STREAM_PERMISSION, type StreamSpec, type RealtimeEvent, type RealtimeMessage } from './streams';
export { CLOSE_CODES, type CloseCode } from './close-codes';
export { RealtimeErrors } from './errors';
export { RealtimeHub, REALTIME_HUB } from './hub';
export { RealtimeConnection, type ConnectionCredential, type ConnectionTransport, type Ending } from './connection';
export { attachConnection, connectionOf, type ConnectionSource } from './transport';
export { ReadyMessage, bindFrameShape, type FrameShape, type FrameSink } from './live';
export { realtimeConfig, realtimeConfigSchema, type RealtimeConfig } from './config';
export { realtimeRouter } from './router';
export { publishEvent, realtimePublisher, REALTIME_PUBLISHER_REDIS } from './publisher';

export const realtimeModule = defineModule({
  name: 'realtime',
  routers: { realtime: realtimeRouter },
  config: realtimeConfigSchema,
  permissions: [{ permission: TENANT_STREAM_PERMISSION, minimumRole: 'admin', description: "Receive every event of the tenant live (realtime tenant streams), with webhook payloads" }],
  services: { subscribe },
  consumers: [realtimePublisher],
  /** In the api: the bus subscriber and the connections it serves; in the workers: the publisher's connection. */
  async start({ config, logger, redis, services, process }) {
    if (process === 'workers') {
      services.set(REALTIME_PUBLISHER_REDIS, redis);
      return;
    }
    const hub = new RealtimeHub({
      redis,
      subscriber: createRedis(config.REDIS_URL, 'worker', 'plinto-realtime'),
      prefix: config.QUEUE_PREFIX,
      settings: realtimeConfig(config),
      logger,
    });
    await hub.start();
    services.set(REALTIME_HUB, hub);
    return hub;
  },
});
