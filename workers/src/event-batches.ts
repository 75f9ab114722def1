import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * How the relay hands committed domain events to a consumer's queue: up to MAX_EVENTS_PER_JOB
 * events per job. A BullMQ job costs the workers and Redis far more than a consumer's own work
 * for one event (add, fetch, lock, finish, its event-stream entries), so one job per event made
 * the relay and its bookkeeping most of the workers' CPU.
 *
 * A lone event keeps the original shape (the event as the job's data, its outbox id as job id);
 * a batch is `{ outboxIds, events }` with a job id digested from its outbox ids, so re-relaying
 * the same rows (a crash between enqueue and commit) adds nothing. A re-relay that groups the rows
 * differently hands some events over again; consumers are idempotent by event id (at-least-once).
 */
export const MAX_EVENTS_PER_JOB = 50;
export const EVENT_BATCH_JOB = 'events.batch';

export const eventBatchSchema = z.object({
  outboxIds: z.array(z.string()).min(1),
  events: z.array(z.record(z.string(), z.unknown())).min(1),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

export interface EventJob {
  name: string;
  data: Record<string, unknown>;
  opts: { jobId: string };
}

/** The jobs for some events of one consumer, each event given with its outbox id. */
export function eventJobs(rows: OutboxItem[]): EventJob[] {
  return groupedJobs(rows, MAX_EVENTS_PER_JOB, (chunk) => ({ name: EVENT_BATCH_JOB, data: { outboxIds: chunk.map((r) => r.id), events: chunk.map((r) => r.data) } satisfies EventBatch }));
}

/** A committed outbox row on its way to a queue: its id, job name and payload. */
export interface OutboxItem {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

/**
 * Rows as jobs of up to `perJob` rows each: a lone row keeps its own shape (its payload as the
 * job's data, its outbox id as job id); a group is the job `batch(group)` makes, with a job id
 * digested from its outbox ids. Grouped in outbox-id order, so the same rows always make the same
 * jobs (and job ids): a re-relay of the same rows adds nothing.
 */
export function groupedJobs(rows: OutboxItem[], perJob: number, batch: (chunk: OutboxItem[]) => { name: string; data: Record<string, unknown> }): EventJob[] {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const jobs: EventJob[] = [];
  for (let i = 0; i < sorted.length; i += perJob) {
    const chunk = sorted.slice(i, i + perJob);
    if (chunk.length === 1) jobs.push({ name: chunk[0]!.name, data: chunk[0]!.data, opts: { jobId: chunk[0]!.id } });
    else jobs.push({ ...batch(chunk), opts: { jobId: batchJobId(chunk.map((r) => r.id)) } });
  }
  return jobs;
}

/** BullMQ job ids may not contain `:`; a digest of the sorted outbox ids. */
export const batchJobId = (outboxIds: string[]): string => `batch-${createHash('sha256').update(outboxIds.join(',')).digest('base64url')}`;

/** The job that retries one event of a batch: one per event and consumer queue, whatever reruns its batch. */
export const retryJobId = (outboxId: string): string => `retry-${outboxId}`;

/**
 * Options of a failed event's own job: the attempts its batch attempt left, starting after the
 * delay the queue's backoff gives a first failure and continuing that schedule, so an event is
 * tried as often, and as far apart, as it would have been in a job of its own.
 */
export function retryJobOptions(outboxId: string, defaults: JobsOptions): JobsOptions {
  const attempts = Math.max(1, (defaults.attempts ?? 1) - 1);
  const backoff = typeof defaults.backoff === 'number' ? { type: 'fixed' as const, delay: defaults.backoff } : defaults.backoff;
  const first = backoff?.delay ?? 0;
  return {
    jobId: retryJobId(outboxId),
    attempts,
    delay: first,
    ...(backoff ? { backoff: backoff.type === 'exponential' ? { ...backoff, delay: first * 2 } : backoff } : {}),
  };
}
