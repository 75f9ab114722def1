import type { Job } from 'bullmq';
import { EmailQueue, type Logger, type MikroORM, type QueueProducers } from '@plinto/kernel';

/** What to scrub of one finished job: the outbox rows of its messages, and its data without their links. */
export interface ScrubEntry {
  job: Job;
  outboxIds: string[];
  data: Record<string, unknown>;
}

/** A message without its link (the secret it carries). */
export const withoutLink = (message: Record<string, unknown>): Record<string, unknown> => {
  const { link: _link, ...rest } = message;
  return rest;
};

/**
 * Removes sent links from their jobs and outbox rows in batches (every 50 ms or 500 messages, one
 * UPDATE for the rows), off the path of the message itself: a bulk invitation sends hundreds per second.
 */
export class OutboxLinkScrubber {
  private entries: ScrubEntry[] = [];
  private messages = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { orm: MikroORM; logger: Logger; producers?: QueueProducers }) {}

  add(entry: ScrubEntry): void {
    this.entries.push(entry);
    this.messages += entry.outboxIds.length;
    if (this.messages >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 50);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.entries.splice(0);
    this.messages = 0;
    if (entries.length === 0) return;
    const ids = entries.flatMap((e) => e.outboxIds);
    await this.scrubJobs(entries);
    await this.deps.orm.em
      .fork()
      .execute(`update outbox set payload = payload - 'link' where id in (${ids.map(() => '?').join(', ')})`, ids)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, count: ids.length }, 'could not scrub email links from the outbox'));
  }

  private async scrubJobs(entries: ScrubEntry[]): Promise<void> {
    if (!this.deps.producers) {
      // A processor run on its own (tests): one command per job.
      await Promise.all(entries.map(({ job, data }) => job.updateData(data).catch((error: unknown) => this.deps.logger.warn({ err: error, jobId: job.id }, 'could not scrub email link from the job'))));
      return;
    }
    // One pipelined round trip for the batch (job.updateData would send one command per job).
    await this.deps.producers
      .get(EmailQueue.name)
      .backend.client.then((redis) => {
        const pipeline = redis.pipeline();
        for (const { job, data } of entries) pipeline.runCommand('eval', [SCRUB_JOB_DATA, 1, `${job.queueQualifiedName}:${job.id}`, JSON.stringify(data)]);
        return pipeline.exec();
      })
      .then((results) => {
        const failed = (results ?? []).filter(([error]) => error).length;
        if (failed > 0) this.deps.logger.warn({ count: failed }, 'could not scrub email links from some jobs');
      })
      .catch((error: unknown) => this.deps.logger.warn({ err: error, count: entries.length }, 'could not scrub email links from the jobs'));
  }
}

/** Replaces a job's data only if the job still exists (BullMQ's own updateData does the same). */
const SCRUB_JOB_DATA = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'data', ARGV[1]) end return 0`;
