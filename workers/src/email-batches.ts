import { z } from 'zod';
import { groupedJobs, type EventJob, type OutboxItem } from './event-batches';

/**
 * How the relay hands committed emails to the `email` queue: up to MAX_EMAILS_PER_JOB per job.
 * One BullMQ job per message cost the workers and Redis more CPU than composing and sending it
 * (measured in `pnpm bench invitations`: the workers' CPU per invitation fell from 0.58–0.71 ms to
 * 0.42–0.44 ms with batches). A lone email keeps the original shape (the message as the job's
 * data, its outbox id as job id); a batch is `{ outboxIds, emails }`. Batches do not change how
 * many messages are in flight: every send takes one of EMAIL_CONCURRENCY slots (see the email
 * processor), whichever job it belongs to.
 */
export const MAX_EMAILS_PER_JOB = 20;
export const EMAIL_BATCH_JOB = 'email.batch';

export const emailBatchSchema = z.object({
  outboxIds: z.array(z.string()).min(1),
  emails: z.array(z.record(z.string(), z.unknown())).min(1),
});
export type EmailBatch = z.infer<typeof emailBatchSchema>;

export function emailJobs(rows: OutboxItem[]): EventJob[] {
  return groupedJobs(rows, MAX_EMAILS_PER_JOB, (chunk) => ({ name: EMAIL_BATCH_JOB, data: { outboxIds: chunk.map((r) => r.id), emails: chunk.map((r) => r.data) } satisfies EmailBatch }));
}
