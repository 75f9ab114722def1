import type { EntityManager } from '@plinto/kernel';
import { queueDeliveries } from './outbox';

/**
 * Safety net for messages whose job was lost (a job that stalled too often is failed by BullMQ;
 * a Redis that lost data): any message still open well past its due time gets a new job through
 * the outbox. A duplicate job is harmless — delivery claims the message and checks it is due.
 */
export async function requeueStuckMessages(em: EntityManager, graceMs: number, limit = 1000): Promise<{ requeued: number }> {
  return em.transactional(async (tx) => {
    const rows: { id: string; tenant_id: string }[] = await tx.execute(
      `update webhook_messages set next_attempt_at = now(), updated_at = now()
        where id in (
          select id from webhook_messages
           where status in ('pending', 'delivering')
             and next_attempt_at < now() - make_interval(secs => ?)
             and (claimed_until is null or claimed_until < now())
           order by next_attempt_at
           limit ? for update skip locked)
        returning id, tenant_id`,
      [graceMs / 1000, limit],
    );
    await queueDeliveries(tx, rows.map((r) => ({ messageId: r.id, tenantId: r.tenant_id })));
    return { requeued: rows.length };
  });
}
