import { noteOutboxWrite, uuidv7, type EntityManager, type QueueProducers } from '@plinto/kernel';
import { WebhooksQueue, WEBHOOK_DELIVER_JOB } from './queue';

export interface QueuedDelivery {
  outboxId: string;
  messageId: string;
  /** The trace the delivery continues (W3C), when the process traces. */
  traceparent?: string;
}

/**
 * Queues deliveries through the outbox, in the caller's transaction: the message rows and their
 * jobs commit together, so a crash can never leave a message without a job (or a job without a
 * message). The relay enqueues them with the outbox id as job id.
 */
export async function queueDeliveries(
  tx: EntityManager,
  rows: { messageId: string; tenantId: string }[],
  availableAt = new Date(),
): Promise<QueuedDelivery[]> {
  const queued: QueuedDelivery[] = [];
  // Outbox rows written here: the relay is woken after the commit (kernel events/wake.ts).
  noteOutboxWrite();
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const values: unknown[] = [];
    for (const row of chunk) {
      const outboxId = uuidv7();
      queued.push({ outboxId, messageId: row.messageId });
      values.push(outboxId, row.tenantId, JSON.stringify({ messageId: row.messageId }), availableAt);
    }
    await tx.execute(
      `insert into outbox (id, tenant_id, queue, job_name, payload, created_at, available_at, attempts)
       values ${chunk.map(() => `(?, ?, '${WebhooksQueue.name}', '${WEBHOOK_DELIVER_JOB}', ?::jsonb, now(), ?, 0)`).join(', ')}`,
      values,
    );
  }
  return queued;
}

/**
 * After commit, a process that has a queue producer can enqueue at once instead of waiting for
 * the relay's next poll. Same job ids as the relay would use, so a race with it is a no-op; if
 * this fails or the process dies first, the relay still dispatches the rows.
 */
export async function dispatchNow(em: EntityManager, producers: QueueProducers, queued: QueuedDelivery[]): Promise<void> {
  if (queued.length === 0) return;
  await producers
    .get(WebhooksQueue.name)
    .addBulk(queued.map((q) => ({ name: WEBHOOK_DELIVER_JOB, data: { messageId: q.messageId, ...(q.traceparent ? { traceparent: q.traceparent } : {}) }, opts: { jobId: q.outboxId } })));
  // Not yet on the replicas (when some are configured): leave the rows to the relay, which enqueues
  // them again (same job ids) and lets them go once they are.
  if (!(await producers.confirmReplicated())) return;
  await em.execute(
    `update outbox set dispatched_at = now(), attempts = attempts + 1
      where id in (${queued.map(() => '?').join(', ')}) and dispatched_at is null`,
    queued.map((q) => q.outboxId),
  );
}
