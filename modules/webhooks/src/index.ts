/** @plinto/webhooks — endpoints, Standard Webhooks signing, durable delivery, dead letters, replay. */
import type { ModuleSchema } from '@plinto/kernel';
import { WebhookAttempt, WebhookEndpoint, WebhookMessage } from './entities/webhook.entities';
import { webhookMigrations } from './migrations';
import './events';

export { webhooksRouter } from './router';
export { webhookConfig, webhookConfigSchema, type WebhookConfig } from './config';
export { WebhooksQueue, WEBHOOK_DELIVER_JOB } from './queue';
export { WebhookErrors } from './errors';
export { fanOutEvent, matchesFilters, payloadFor } from './fanout.service';
export { dispatchNow, queueDeliveries, type QueuedDelivery } from './outbox';
export { deliverMessage, nextDelay, withJitter, type DeliveryOutcome, type AttemptObservation } from './delivery.service';
export { requeueStuckMessages } from './maintenance';
export { createEndpoint, getEndpoint, rotateSecret, updateEndpoint } from './endpoints.service';
export { replayMessage, recoverEndpoint, sendTestMessage, getMessage } from './messages.service';
export { generateSecret, sign, webhookHeaders } from './signing';
export { assertSecretsKey } from './secrets';
export { parseDuration, parseDurationList } from './duration';
export { webhookPayloadSchema } from './events';

export const webhooksSchema: ModuleSchema = {
  entities: [WebhookEndpoint, WebhookMessage, WebhookAttempt],
  migrations: webhookMigrations,
};
