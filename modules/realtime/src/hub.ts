import { serviceKey, type Logger, type Redis } from '@plinto/kernel';
import { RealtimeConnection, type ConnectionCredential, type ConnectionTransport, type Ending } from './connection';
import type { RealtimeConfig } from './config';
import { RealtimeErrors } from './errors';
import { readMissed, type Missed } from './history';
import { realtimeKeys } from './keys';
import { realtimeMetrics } from './metrics';
import { parseBusMessage } from './publisher';
import type { RealtimeEvent } from './streams';
import { Inbox, RESYNC, type BusItem } from './subscription';

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

  constructor(private readonly deps: HubDeps) {
    this.keys = realtimeKeys(deps.prefix);
  }

  get settings(): RealtimeConfig {
    return this.deps.settings;
  }

  async start(): Promise<void> {
    const { subscriber } = this.deps;
    subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    // After a reconnect, events published meanwhile were not received: every subscription reads them from the log.
    subscriber.on('ready', () => {
      if (this.subscribedOnce) for (const set of this.inboxes.values()) for (const inbox of set) inbox.push(RESYNC);
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
    for (const inbox of connection.inboxes) inbox.end();
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

  detach(connection: RealtimeConnection, inbox: Inbox): void {
    inbox.end();
    connection.inboxes.delete(inbox);
    const set = this.inboxes.get(inbox.tenantId);
    if (!set?.delete(inbox)) return;
    if (set.size === 0) this.inboxes.delete(inbox.tenantId);
    realtimeMetrics.subscriptions.dec();
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
    let event: RealtimeEvent;
    try {
      event = JSON.parse(parsed.payload) as RealtimeEvent;
    } catch {
      return;
    }
    const item: BusItem = { id: parsed.id, event };
    const inboxes = this.inboxes.get(parsed.tenantId);
    if (inboxes) for (const inbox of inboxes) inbox.push(item);
    this.endRevoked(parsed.tenantId, event);
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
      for (const set of [...this.connections.values()]) for (const connection of [...set]) await connection.recheck().catch(() => undefined);
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

export const REALTIME_HUB = serviceKey<RealtimeHub>('realtime.hub');
