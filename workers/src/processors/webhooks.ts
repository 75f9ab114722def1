import { DelayedError, type Job } from 'bullmq';
import type { Config, Logger, MikroORM, Resolver } from '@plinto/kernel';
import { deliverMessage, WebhooksQueue } from '@plinto/webhooks';
import { workerMetrics } from '../metrics';

/**
 * Processes the `webhooks` queue: one job per message. Each run makes one attempt; a failed
 * attempt with attempts left moves the same job back to `delayed` until the next slot of
 * WEBHOOK_RETRY_SCHEDULE (or the receiver's Retry-After), so every retry of a message is the same
 * job with the same `webhook-id`. The database row is the truth; the job is only the alarm clock.
 */
export function webhooksProcessor(deps: { orm: MikroORM; config: Config; logger: Logger; resolver?: Resolver }) {
  return async (job: Job, token?: string): Promise<Record<string, unknown>> => {
    const { messageId } = WebhooksQueue.payload.parse(job.data);
    const outcome = await deliverMessage(deps.orm, deps.config, messageId, { resolver: deps.resolver, onAttempt: workerMetrics.webhookAttempt });
    if (outcome.kind === 'retry' || outcome.kind === 'wait') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
    if (outcome.kind === 'dead') workerMetrics.webhookDeadLetter(outcome.reason);
    if (outcome.kind === 'dead') deps.logger.info({ messageId, reason: outcome.reason, attempts: outcome.attempt }, 'webhook message dead-lettered');
    return { ...outcome };
  };
}
