import { chainPendingEvents } from '@plinto/audit';
import type { Logger, MikroORM } from '@plinto/kernel';
import { PollingLoop } from './polling-loop';

/** Events chained per pass at most. */
const CHAIN_BATCH = 5000;

/**
 * Extends every tenant's audit hash chain after commit, in the order commits become visible.
 * Runs beside the outbox relay; any number of workers may run it (an advisory lock lets one
 * chainer at a time extend the chains, all tenants' in one pass). Requests never wait on it.
 */
export class AuditChainer {
  private readonly loop: PollingLoop;

  constructor(orm: MikroORM, logger: Logger, intervalMs: number, coalesceMs = 0) {
    // Again at once only after a full batch (a backlog), as the relay does. Going again after every
    // pass that chained anything kept the chainer spinning under steady load, each pass (six
    // statements) chaining the few events committed during the last one.
    this.loop = new PollingLoop('audit chainer', async () => (await chainPendingEvents(orm, CHAIN_BATCH)) >= CHAIN_BATCH, logger, {
      intervalMs,
      maxBackoffMs: 10_000,
      coalesceMs,
    });
  }

  start(): void {
    this.loop.start();
  }

  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
