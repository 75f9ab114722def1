import type { Logger } from '@plinto/kernel';

/**
 * Runs `step` over and over: again at once while it reports a full batch, after `intervalMs` when
 * idle, with a capped exponential backoff while it fails, and at once when nudged (new work was
 * committed). Used by the outbox relay and the audit chainer.
 */
export class PollingLoop {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A nudge that arrived while a step was running: go again at once. */
  private nudged = false;

  constructor(
    private readonly name: string,
    /** Does one batch; returns true when more work is likely waiting. */
    private readonly step: () => Promise<boolean>,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; maxBackoffMs: number },
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
      let delay = this.options.intervalMs;
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
      if (this.nudged && failures === 0) continue;
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
