import { serviceKey, type Logger, type Redis, type ServiceContext } from '@plinto/kernel';
import { RealtimeConnection, type ConnectionCredential, type ConnectionTransport, type Ending } from './connection';
import type { RealtimeConfig } from './config';
import { RealtimeErrors } from './errors';
import { readMissed, type Missed } from './history';
import { realtimeKeys } from './keys';
import { realtimeMetrics } from './metrics';
import { parseBusMessage } from './publisher';
import { LiveFanOut, type LiveMember } from './fanout';
import { changesPermissions, type RealtimeEvent } from './streams';
import { idOrder, Inbox, RESYNC, type QueueItem } from './subscription';

export interface HubDeps {
  /** The process's producer connection (history reads). */
  redis: Redis;
  /** A connection of its own, in subscriber mode (the bus). */
  subscriber: Redis;
  prefix: string;
  settings: RealtimeConfig;
  logger: Logger;
}

const bump = (counts: Map<string, number>, key: string, by: number) => {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
};

/**
 * This api process's end of the realtime bus: one Redis subscription for every tenant, fanned out
 * to the inboxes of the subscriptions it holds; the connections it holds, their limits, and their
 * ends (revoked, expired, slow, draining).
 */
export class RealtimeHub {
  private readonly inboxes = new Map<string, Set<Inbox>>();
  private readonly connections = new Map<string, Set<RealtimeConnection>>();
  private readonly perPrincipal = new Map<string, number>();
  private readonly perTenant = new Map<string, number>();
  private readonly keys: ReturnType<typeof realtimeKeys>;
  private sweep: NodeJS.Timeout | null = null;
  private draining = false;
  private subscribedOnce = false;
  private sweeping = false;
  private readonly live: LiveFanOut;
  /** Per tenant, what the bus handed over and is not yet delivered: a tenant's events go out in order. */
  private readonly backlog = new Map<string, QueueItem[]>();
  /** Per audience, the service context its subscriptions share (see shareContext). */
  private readonly contexts = new Map<string, { sc: ServiceContext; holders: number }>();

  constructor(private readonly deps: HubDeps) {
    this.keys = realtimeKeys(deps.prefix);
    this.live = new LiveFanOut(deps.settings.REALTIME_SEND_BUFFER_BYTES, deps.logger);
  }

  get settings(): RealtimeConfig {
    return this.deps.settings;
  }

  async start(): Promise<void> {
    const { subscriber } = this.deps;
    subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    // After a reconnect, events published meanwhile were not received: every subscription reads them from the log.
    subscriber.on('ready', () => {
      if (this.subscribedOnce) for (const tenantId of this.inboxes.keys()) this.enqueue(tenantId, RESYNC);
    });
    await subscriber.subscribe(this.keys.channel);
    this.subscribedOnce = true;
    this.sweep = setInterval(() => void this.recheckAll(), this.deps.settings.REALTIME_RECHECK_MS);
    this.sweep.unref();
  }

  /** Registers a connection, within the per-principal and per-tenant limits (429 beyond them). */
  open(credential: ConnectionCredential, transport: ConnectionTransport, kind: string): RealtimeConnection {
    if (this.draining) throw RealtimeErrors.REALTIME_DRAINING();
    const { settings } = this.deps;
    const principalKey = `${credential.principal.kind}:${credential.principal.id}`;
    if ((this.perPrincipal.get(principalKey) ?? 0) >= settings.REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL || (this.perTenant.get(credential.tenantId) ?? 0) >= settings.REALTIME_MAX_CONNECTIONS_PER_TENANT) {
      throw RealtimeErrors.REALTIME_TOO_MANY_CONNECTIONS({ details: { limitPerPrincipal: settings.REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL, limitPerTenant: settings.REALTIME_MAX_CONNECTIONS_PER_TENANT } });
    }
    const connection = new RealtimeConnection(credential, transport, (c, ending) => this.ended(c, kind, ending));
    bump(this.perPrincipal, principalKey, 1);
    bump(this.perTenant, credential.tenantId, 1);
    let set = this.connections.get(credential.tenantId);
    if (!set) this.connections.set(credential.tenantId, (set = new Set()));
    set.add(connection);
    realtimeMetrics.connections.inc({ transport: kind });
    return connection;
  }

  /** The transport saw the client go away. */
  release(connection: RealtimeConnection, kind: string): void {
    this.forget(connection, kind);
  }

  private ended(connection: RealtimeConnection, kind: string, ending: Ending): void {
    realtimeMetrics.closed.inc({ reason: ending });
    this.forget(connection, kind);
  }

  private forget(connection: RealtimeConnection, kind: string): void {
    const set = this.connections.get(connection.tenantId);
    if (!set?.delete(connection)) return;
    if (set.size === 0) this.connections.delete(connection.tenantId);
    bump(this.perPrincipal, connection.principalKey, -1);
    bump(this.perTenant, connection.tenantId, -1);
    realtimeMetrics.connections.dec({ transport: kind });
    for (const inbox of connection.inboxes) {
      this.live.leave(connection.tenantId, inbox);
      inbox.end();
    }
  }

  /** A subscription's inbox, fed from now on with its tenant's events. */
  attach(connection: RealtimeConnection): Inbox {
    const inbox = new Inbox(connection.tenantId, this.deps.settings.REALTIME_QUEUE_LENGTH, () => {
      realtimeMetrics.dropped.inc({ reason: 'slow_consumer' });
      connection.end('SLOW_CONSUMER');
    });
    let set = this.inboxes.get(connection.tenantId);
    if (!set) this.inboxes.set(connection.tenantId, (set = new Set()));
    set.add(inbox);
    connection.inboxes.add(inbox);
    realtimeMetrics.subscriptions.inc();
    return inbox;
  }

  /**
   * The subscription is caught up and its `ready` was sent: its live events are written by the
   * hub from now on (the fast path), until something needs its own loop again.
   */
  goLive(member: LiveMember): void {
    const { inbox, connection } = member;
    if (inbox.done || inbox.pending > 0 || connection.ended) return;
    this.live.join(connection.tenantId, member);
  }

  detach(connection: RealtimeConnection, inbox: Inbox): void {
    this.live.leave(inbox.tenantId, inbox);
    inbox.end();
    connection.inboxes.delete(inbox);
    const set = this.inboxes.get(inbox.tenantId);
    if (!set?.delete(inbox)) return;
    if (set.size === 0) this.inboxes.delete(inbox.tenantId);
    realtimeMetrics.subscriptions.dec();
  }

  /**
   * The service context subscriptions of one audience decide through (live.ts: audienceKey — the
   * same stream, credential, attributes, tenant and address, so the engine answers them the same):
   * the first one's, kept while any of them lives. 10,000 sockets of one API key then hold one
   * service context (its EntityManager fork, authorizer and closures), not 10,000.
   */
  shareContext(audience: string, sc: ServiceContext): ServiceContext {
    const shared = this.contexts.get(audience);
    if (shared) {
      shared.holders++;
      return shared.sc;
    }
    this.contexts.set(audience, { sc, holders: 1 });
    return sc;
  }

  unshareContext(audience: string): void {
    const shared = this.contexts.get(audience);
    if (shared && --shared.holders === 0) this.contexts.delete(audience);
  }

  /** What a tenant's log holds after `after` (a reconnecting subscriber's last event id). */
  missed(tenantId: string, after: string): Promise<Missed> {
    return readMissed(this.deps.redis, this.keys.log(tenantId), after, this.deps.settings.REALTIME_HISTORY_LENGTH);
  }

  /** The newest id of a tenant's log (a new subscriber without a last id starts after it). */
  async newestId(tenantId: string): Promise<string | null> {
    const [entry] = (await this.deps.redis.xrevrange(this.keys.log(tenantId), '+', '-', 'COUNT', 1)) as [string, string[]][];
    return entry?.[0] ?? null;
  }

  private dispatch(message: string): void {
    const parsed = parseBusMessage(message);
    if (!parsed) return;
    // Every event of every tenant comes through here: parsed only for a tenant someone listens to.
    if (!this.inboxes.has(parsed.tenantId) && !this.connections.has(parsed.tenantId)) return;
    let event: RealtimeEvent;
    try {
      event = JSON.parse(parsed.payload) as RealtimeEvent;
    } catch {
      return;
    }
    this.enqueue(parsed.tenantId, { id: parsed.id, event });
  }

  /** A tenant's events are delivered one after the other (a decision may be awaited); tenants do not wait for each other. */
  private enqueue(tenantId: string, item: QueueItem): void {
    const queued = this.backlog.get(tenantId);
    if (queued) return void queued.push(item);
    const backlog: QueueItem[] = [item];
    this.backlog.set(tenantId, backlog);
    void this.drainBacklog(tenantId, backlog);
  }

  private async drainBacklog(tenantId: string, backlog: QueueItem[]): Promise<void> {
    try {
      for (let i = 0; i < backlog.length; i++) {
        try {
          await this.deliver(tenantId, backlog[i]!);
        } catch (error) {
          this.deps.logger.error({ err: error, tenantId }, 'realtime: delivery failed');
        }
      }
    } finally {
      this.backlog.delete(tenantId);
    }
  }

  /**
   * One event to every subscription of its tenant here: through their loops (an inbox each), or
   * for subscriptions on the fast path written by the hub, decided once per audience. An event
   * that needs each subscriber's own work — permissions that may have changed (the stream's own
   * permission checked again), a revocation (the connection closes after it is flushed), a resync
   * — sends every fast-path subscription of the tenant back through its loop first.
   */
  private async deliver(tenantId: string, item: QueueItem): Promise<void> {
    if (item === RESYNC || needsLoop(item.event)) this.live.leaveAll(tenantId);
    const inboxes = this.inboxes.get(tenantId);
    if (inboxes) for (const inbox of inboxes) if (!inbox.live) inbox.push(item);
    if (item === RESYNC) return;
    this.endRevoked(tenantId, item.event);
    if (this.live.has(tenantId)) await this.live.deliver(tenantId, item, idOrder(item.id));
  }

  /** A revoked session, token or user: its connections end (after their queued events, within a second). */
  private endRevoked(tenantId: string, event: RealtimeEvent): void {
    const connections = this.connections.get(tenantId);
    if (!connections) return;
    const data = event.data;
    let matches: ((c: RealtimeConnection) => boolean) | null = null;
    switch (event.type) {
      case 'session.revoked':
      case 'session.token_reuse_detected':
        matches = (c) => c.sessionId === data.sessionId;
        break;
      case 'session.revoked_all': {
        const ids = new Set((data.sessionIds as string[] | undefined) ?? []);
        matches = (c) => c.sessionId !== null && ids.has(c.sessionId);
        break;
      }
      case 'access_token.revoked':
        matches = (c) => c.tokenId === data.tokenId;
        break;
      case 'user.disabled':
      case 'user.deleted':
        matches = (c) => c.principal.kind === 'user' && c.principal.id === event.target?.id;
        break;
    }
    if (!matches) return;
    for (const connection of connections) if (matches(connection)) connection.endSoon('SESSION_REVOKED');
  }

  /**
   * A platform operator signed out of the console here: its streams in this process end now. Its
   * sign-out has no tenant, so no bus event reaches the other processes: there the periodic
   * check (REALTIME_RECHECK_MS) ends them.
   */
  endOperatorSession(operatorSessionId: string): void {
    for (const set of this.connections.values()) {
      for (const connection of set) if (connection.principal.attributes.operatorSessionId === operatorSessionId) connection.endSoon('SESSION_REVOKED');
    }
  }

  /**
   * One sweep at a time: with thousands of connections a sweep (one credential check each) can
   * outlast the interval, and overlapping sweeps would pile up checks that compete with delivery.
   */
  private async recheckAll(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      // One check per credential: 10,000 sockets of one API key cost one check, not 10,000 (each a database round trip).
      const byCredential = new Map<string, RealtimeConnection[]>();
      for (const set of this.connections.values()) {
        for (const connection of set) {
          const group = byCredential.get(connection.verifyKey);
          if (group) group.push(connection);
          else byCredential.set(connection.verifyKey, [connection]);
        }
      }
      for (const [first, ...others] of byCredential.values()) {
        const ending = await first!.recheck().catch(() => null);
        if (ending) for (const connection of others) connection.end(ending);
      }
    } finally {
      this.sweeping = false;
    }
  }

  /** SIGTERM: every client is told to reconnect elsewhere (1012, or the SSE error) and resume there. */
  drain(): void {
    this.draining = true;
    for (const set of [...this.connections.values()]) for (const connection of [...set]) connection.end('SERVICE_RESTART');
  }

  async close(): Promise<void> {
    this.drain();
    if (this.sweep) clearInterval(this.sweep);
    try {
      await this.deps.subscriber.unsubscribe();
    } catch {
      // closing anyway
    }
    this.deps.subscriber.disconnect();
  }
}

/** Events a subscription's own loop handles: permissions may have changed, or connections end after them. */
function needsLoop(event: RealtimeEvent): boolean {
  return changesPermissions(event.type) || REVOKING.has(event.type);
}
const REVOKING = new Set(['session.revoked', 'session.token_reuse_detected', 'session.revoked_all', 'access_token.revoked', 'user.disabled', 'user.deleted']);

export const REALTIME_HUB = serviceKey<RealtimeHub>('realtime.hub');
