import type { Logger } from '@plinto/kernel';
import type { RealtimeConnection } from './connection';
import type { FrameShape } from './live';
import { realtimeMetrics } from './metrics';
import type { RealtimeEvent, RealtimeMessage } from './streams';
import type { BusItem, Inbox, LiveRoute } from './subscription';

/** A subscription on the fast path: its inbox, its connection, how the engine decides its events. */
export interface LiveMember {
  inbox: Inbox;
  connection: RealtimeConnection;
  route: LiveRoute;
  /** Whether this subscriber may receive `event` (its service context, the engine). */
  decide(event: RealtimeEvent): Promise<boolean>;
}

/** Fast-path subscribers whose credential, stream and address are the same: one decision per event for all. */
interface Audience {
  members: Map<Inbox, LiveMember>;
}

/**
 * The live fast path of one api process (see live.ts): subscribers grouped by audience per tenant;
 * each event decided once per audience, encoded once per frame shape, the same bytes written to
 * every socket allowed to see it.
 */
export class LiveFanOut {
  private readonly tenants = new Map<string, Map<string, Audience>>();

  constructor(
    private readonly sendBufferBytes: number,
    private readonly logger: Logger,
  ) {}

  join(tenantId: string, member: LiveMember): void {
    let audiences = this.tenants.get(tenantId);
    if (!audiences) this.tenants.set(tenantId, (audiences = new Map()));
    let audience = audiences.get(member.route.audience);
    if (!audience) audiences.set(member.route.audience, (audience = { members: new Map() }));
    audience.members.set(member.inbox, member);
    member.inbox.live = member.route;
    realtimeMetrics.live.inc();
  }

  /** Back to its loop (or gone): its events queue in its inbox from now on. */
  leave(tenantId: string, inbox: Inbox): void {
    const route = inbox.live;
    if (!route) return;
    inbox.live = null;
    realtimeMetrics.live.dec();
    const audiences = this.tenants.get(tenantId);
    const audience = audiences?.get(route.audience);
    if (!audiences || !audience) return;
    audience.members.delete(inbox);
    if (audience.members.size === 0) audiences.delete(route.audience);
    if (audiences.size === 0) this.tenants.delete(tenantId);
  }

  /** Every fast-path subscriber of the tenant goes back to its loop (an event that needs each one's own work). */
  leaveAll(tenantId: string): void {
    const audiences = this.tenants.get(tenantId);
    if (!audiences) return;
    for (const audience of [...audiences.values()]) for (const inbox of [...audience.members.keys()]) this.leave(tenantId, inbox);
  }

  has(tenantId: string): boolean {
    return this.tenants.has(tenantId);
  }

  /** Writes `item` to the tenant's fast-path subscribers allowed to see it; resolves when all are written. */
  async deliver(tenantId: string, item: BusItem, order: [number, number]): Promise<void> {
    const audiences = this.tenants.get(tenantId);
    if (!audiences) return;
    const message: RealtimeMessage = { id: item.id, kind: 'event', event: item.event };
    const frames = new Map<string, Buffer>();
    for (const audience of [...audiences.values()]) {
      const first = audience.members.values().next().value;
      if (!first) continue;
      let allowed: boolean;
      try {
        allowed = await first.decide(item.event);
      } catch (error) {
        this.logger.warn({ err: error, tenantId }, 'realtime: a live decision failed; not delivered');
        allowed = false;
      }
      // Members that joined while the decision was awaited are in the same audience: the decision holds for them.
      await this.write(audience, item, order, message, allowed, frames);
    }
  }

  private async write(audience: Audience, item: BusItem, order: [number, number], message: RealtimeMessage, allowed: boolean, frames: Map<string, Buffer>): Promise<void> {
    let delivered = 0;
    let denied = 0;
    let budget = WRITES_PER_TURN;
    // Iterated in place: a member ended here (slow consumer) or meanwhile is deleted from the map, and one
    // that joined meanwhile is visited, which iteration tolerates (the checks below hold for both).
    for (const member of audience.members.values()) {
      if (--budget === 0) {
        budget = WRITES_PER_TURN;
        await nextTurn();
      }
      const { inbox, connection, route } = member;
      // Left the fast path meanwhile, already handled (caught up past it), or ending: not here.
      if (inbox.live !== route || inbox.done || !inbox.isNew(order)) continue;
      inbox.handled(item.id, order);
      if (!allowed) {
        denied++;
        continue;
      }
      if (connection.bufferedBytes() > this.sendBufferBytes) {
        realtimeMetrics.dropped.inc({ reason: 'slow_consumer' });
        connection.end('SLOW_CONSUMER');
        continue;
      }
      route.sink.write(frameOf(frames, route.shape, message));
      delivered++;
    }
    if (denied) realtimeMetrics.dropped.inc({ reason: 'not_authorized' }, denied);
    if (delivered) {
      realtimeMetrics.delivered.inc(delivered);
      const seconds = Math.max(0, Date.now() - Date.parse(item.event.timestamp)) / 1000;
      for (let i = 0; i < delivered; i++) realtimeMetrics.fanOutSeconds.observe(seconds);
    }
  }
}

/**
 * Sockets written per turn of the event loop: 10,000 writes in one go would hold the loop for
 * ~100 ms (requests, pongs and the bus wait meanwhile). Between chunks the loop reads; the next
 * event of the tenant waits for this one (hub.ts delivers a tenant's events in order).
 */
const WRITES_PER_TURN = 1000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The event's frame for `shape`, encoded on first use (once per event and shape). */
function frameOf(frames: Map<string, Buffer>, shape: FrameShape, message: RealtimeMessage): Buffer {
  let frame = frames.get(shape.key);
  if (!frame) frames.set(shape.key, (frame = shape.encode(message)));
  return frame;
}
