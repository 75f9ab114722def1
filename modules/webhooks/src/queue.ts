import { z } from 'zod';
import { defineQueue } from '@plinto/kernel';

/**
 * One job per (event, endpoint) message. Delivery retries follow WEBHOOK_RETRY_SCHEDULE and are
 * driven by the processor (the job is re-delayed); BullMQ's own attempts only cover infrastructure
 * failures (database or Redis unreachable mid-job).
 */
export const WebhooksQueue = defineQueue('webhooks', z.object({ messageId: z.uuid() }), {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
});
export const WEBHOOK_DELIVER_JOB = 'deliver';
