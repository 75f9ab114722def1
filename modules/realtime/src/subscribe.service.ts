import { CommonErrors, requirePrincipal, requireUser, type ServiceContext } from '@plinto/kernel';
import type { RealtimeConnection } from './connection';
import { RealtimeErrors } from './errors';
import { REALTIME_HUB, type RealtimeHub } from './hub';
import { compareIds, STREAM_ID } from './keys';
import { realtimeMetrics } from './metrics';
import {
  changesPermissions,
  isAboutUser,
  matchesTypes,
  organizationEventPermission,
  ORGANIZATION_STREAM_PERMISSION,
  TENANT_STREAM_PERMISSION,
  type RealtimeEvent,
  type RealtimeMessage,
  type StreamSpec,
} from './streams';
import { RESYNC, type BusItem } from './subscription';
import { audienceKey, onFrameShape, ReadyMessage, type FrameShape } from './live';

export interface SubscribeOptions {
  stream: StreamSpec;
  /** The last id the subscriber received: it gets what it missed first (or a `reset`). */
  lastEventId?: string | null;
  /** Stops the subscription (the client unsubscribed or went away). */
  signal?: AbortSignal;
  /**
   * The transport's connection (limits, revocation and expiry close it). Without one the
   * subscription gets a connection of its own, ended with it.
   */
  connection?: RealtimeConnection;
}

/** The stream's own permission (checked when subscribing and again whenever permissions change). */
async function mayOpen(sc: ServiceContext, stream: StreamSpec): Promise<boolean> {
  if (stream.kind === 'user') return sc.principal?.kind === 'user';
  if (stream.kind === 'organization') return sc.authz.can(ORGANIZATION_STREAM_PERMISSION, { organizationId: stream.organizationId });
  return sc.authz.can(TENANT_STREAM_PERMISSION);
}

async function requireOpen(sc: ServiceContext, stream: StreamSpec): Promise<void> {
  if (stream.kind === 'user') {
    requireUser(sc);
    return;
  }
  if (stream.kind === 'organization') return sc.authz.require(ORGANIZATION_STREAM_PERMISSION, { organizationId: stream.organizationId });
  return sc.authz.require(TENANT_STREAM_PERMISSION);
}

/** Whether this subscriber may receive this event of its stream, decided now by the engine. */
async function mayReceive(sc: ServiceContext, stream: StreamSpec, event: RealtimeEvent): Promise<boolean> {
  if (stream.kind === 'user') return isAboutUser(event, sc.principal!.id);
  if (stream.kind === 'organization') {
    return event.organizationId === stream.organizationId && sc.authz.can(organizationEventPermission(event.type), { organizationId: stream.organizationId });
  }
  return matchesTypes(stream.types, event.type) && sc.authz.can(TENANT_STREAM_PERMISSION);
}

/** A connection for a caller that brought none (a direct service call): limits and expiry still apply. */
function ownConnection(hub: RealtimeHub, sc: ServiceContext): RealtimeConnection {
  const principal = requirePrincipal(sc);
  const exp = principal.attributes.expiresAt;
  return hub.open({ principal, tenantId: sc.tenant.id, expiresAt: typeof exp === 'number' ? exp * 1000 : null }, { close: () => undefined, bufferedBytes: () => 0 }, 'direct');
}

/**
 * Subscribes the caller of `sc` to a stream of its tenant's events: authorizes the stream now
 * (401/403 before anything is sent), then yields, in the tenant log's order, what the caller
 * missed since `lastEventId` followed by live events. Every event is authorized for this caller
 * by the engine as it is delivered; an event that may change permissions (role, policy,
 * membership) has the stream's own permission checked again, and the stream ends with 403 when it
 * is gone. Transports (tRPC over WebSocket and SSE, GraphQL) all subscribe through here.
 */
export async function subscribe(sc: ServiceContext, options: SubscribeOptions): Promise<AsyncIterable<RealtimeMessage>> {
  requirePrincipal(sc);
  const { stream } = options;
  const tenantId = sc.tenant.id;
  const lastEventId = options.lastEventId ?? null;
  if (lastEventId !== null && !STREAM_ID.test(lastEventId)) {
    throw RealtimeErrors.REALTIME_LAST_EVENT_ID_INVALID({ fields: [{ path: 'lastEventId', message: 'Not an event id of this server' }] });
  }
  await requireOpen(sc, stream);
  // A subscription lives for hours on this service context but only asks the engine through it:
  // what authenticating the call loaded into its EntityManager (credential and tenant rows) is let go.
  sc.em.clear();
  const hub = sc.services.get(REALTIME_HUB);
  const connection = options.connection ?? ownConnection(hub, sc);
  const owned = !options.connection;
  if (connection.inboxes.size >= hub.settings.REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION) {
    if (owned) connection.end('SERVICE_RESTART');
    throw RealtimeErrors.REALTIME_TOO_MANY_SUBSCRIPTIONS({ details: { limit: hub.settings.REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION } });
  }
  // Computed before anything is collected: the fast path decides once per audience (live.ts).
  const audience = audienceKey(sc, stream);
  // Live events are collected from here on, before the log is read, so none falls between the two.
  const inbox = hub.attach(connection);
  const stop = () => inbox.end();
  options.signal?.addEventListener('abort', stop, { once: true });
  let startId: string | null;
  try {
    startId = lastEventId ?? (await hub.newestId(tenantId));
  } catch (error) {
    hub.detach(connection, inbox);
    throw error;
  }

  if (startId !== null) inbox.handled(startId);
  // From here on the subscription decides through its audience's service context, shared with
  // every subscription whose decisions are the same (live.ts: audienceKey); its own — and the
  // EntityManager, authorizer and closures it holds — is let go. It is not referenced below.
  const judge = hub.shareContext(audience, sc);
  /** Set once a WebSocket transport wrote this subscription's `ready`: its frame shape, for the fast path. */
  let shape: FrameShape | null = null;
  const sink = connection.frames;
  const decide = (event: RealtimeEvent) => mayReceive(judge, stream, event);

  async function* run(): AsyncGenerator<RealtimeMessage> {
    /** Delivers an item unless already delivered or not this subscriber's to see. */
    const deliverable = async (item: BusItem): Promise<boolean> => {
      if (inbox.last !== null && compareIds(item.id, inbox.last) <= 0) return false;
      if (changesPermissions(item.event.type) && !(await mayOpen(judge, stream))) throw CommonErrors.FORBIDDEN({ message: 'You may no longer receive this stream' });
      inbox.handled(item.id);
      if (!(await mayReceive(judge, stream, item.event))) {
        realtimeMetrics.dropped.inc({ reason: 'not_authorized' });
        return false;
      }
      if (connection.bufferedBytes() > hub.settings.REALTIME_SEND_BUFFER_BYTES) {
        realtimeMetrics.dropped.inc({ reason: 'slow_consumer' });
        connection.end('SLOW_CONSUMER');
        throw RealtimeErrors.REALTIME_SLOW_CONSUMER();
      }
      return true;
    };
    const message = (item: BusItem): RealtimeMessage => {
      realtimeMetrics.delivered.inc();
      realtimeMetrics.fanOutSeconds.observe(Math.max(0, Date.now() - Date.parse(item.event.timestamp)) / 1000);
      return { id: item.id, kind: 'event', event: item.event };
    };
    /** What the log holds after the last handled id: after a reconnect of this subscriber, or of this process's bus. */
    async function* catchUp(): AsyncGenerator<RealtimeMessage> {
      if (inbox.last === null) return;
      const missed = await hub.missed(tenantId, inbox.last);
      if (missed.reset) {
        inbox.handled(missed.lastId ?? inbox.last);
        yield { id: inbox.last!, kind: 'reset' };
        return;
      }
      for (const item of missed.items) if (await deliverable(item)) yield message(item);
    }
    /** The `ready` message; on a transport that writes frames, it also learns this subscription's frame shape. */
    const ready = (): RealtimeMessage => {
      const id = inbox.last ?? '0-0';
      if (!sink) return { id, kind: 'ready' };
      const announced = new ReadyMessage(id);
      onFrameShape(announced, (bound) => (shape = bound));
      return announced;
    };

    try {
      if (lastEventId !== null) yield* catchUp();
      yield ready();
      for (;;) {
        if (inbox.pending === 0) {
          connection.flushed();
          // Everything yielded so far was sent (this loop resumes only then): live events may now skip the loop.
          if (shape && sink && !inbox.live) hub.goLive({ inbox, connection, route: { shape, sink, audience }, decide });
        }
        const item = await inbox.next();
        if (item === null) return;
        if (item === RESYNC) yield* catchUp();
        else if (await deliverable(item)) yield message(item);
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
      hub.detach(connection, inbox);
      hub.unshareContext(audience);
      if (owned) hub.release(connection, 'direct');
    }
  }
  return run();
}
