import { chainPendingEvents } from '@plinto/audit';
import type { Logger, MikroORM } from '@plinto/kernel';

/**
 * Extends every tenant's audit hash chain after commit, in the order commits become visible.
 * Runs beside the outbox relay; any number of workers may run it (a per-tenant advisory lock
 * lets one chainer at a time extend a chain). Requests never wait on it.
 */
export class AuditChainer {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A nudge that arrived while a batch was running: go again at once. */
  private nudged = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** New work was committed (see OutboxListener): look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let delay = this.intervalMs;
      try {
        const chained = await chainPendingEvents(this.orm);
        failures = 0;
        if (chained > 0) continue;
      } catch (error) {
        failures += 1;
        delay = Math.min(this.intervalMs * 2 ** failures, 10_000);
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ err: error }, 'audit chainer failed; retrying');
      }
      if (this.nudged) {
        this.nudged = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
