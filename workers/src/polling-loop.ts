import type { Logger } from '@plinto/kernel';

/**
 * Runs `step` over and over: again at once while it reports a full batch, after `intervalMs` when
 * idle, with a capped exponential backoff while it fails, and soon after it is nudged (new work
 * was committed). Used by the outbox relay and the audit chainer.
 *
 * Nudges are coalesced: a nudge runs the step at once when the last nudged run is at least
 * `coalesceMs` ago (an idle system loses no latency), else when that much time has passed. Under
 * load every api process nudges up to 40 times a second, and each run costs a transaction or
 * several whatever it moves, so running on every nudge made tiny batches and most of the work;
 * a backlog (a full batch) still runs again at once.
 */
export class PollingLoop {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A nudge that arrived while a step was running or while waiting: run soon. */
  private nudged = false;
  private lastNudgedRunAt = 0;

  constructor(
    private readonly name: string,
    /** Does one batch; returns true when more work is likely waiting. */
    private readonly step: () => Promise<boolean>,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; maxBackoffMs: number; coalesceMs?: number },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** New work was committed (see OutboxListener): look soon rather than at the next poll. */
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
      let delay = this.options.intervalMs;
      if (this.nudged) this.lastNudgedRunAt = Date.now();
      this.nudged = false;
      try {
        const more = await this.step();
        if (failures > 0) this.logger.info(`${this.name} recovered`);
        failures = 0;
        if (more) continue;
      } catch (error) {
        failures += 1;
        delay = Math.min(this.options.intervalMs * 2 ** failures, this.options.maxBackoffMs);
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ err: error, failures }, `${this.name} failed; retrying`);
      }
      // While failing, keep the backoff: commits keep nudging, and retrying at once would spin.
      if (!(this.nudged && failures === 0)) await this.sleep(delay, true);
      if (this.nudged && failures === 0) await this.sleep(this.lastNudgedRunAt + (this.options.coalesceMs ?? 0) - Date.now(), false);
    }
  }

  /** Waits `ms` (or until stopped; or nudged, when `nudgeable`). */
  private async sleep(ms: number, nudgeable: boolean): Promise<void> {
    if (ms <= 0 || this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        if (nudgeable || this.stopped) done();
      };
    });
    this.wake = undefined;
  }
}
