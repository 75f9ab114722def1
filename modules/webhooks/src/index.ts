/** @plinto/webhooks — endpoints, Standard Webhooks signing, durable delivery, dead letters, replay. */
import { defineModule, type ModuleSchema } from '@plinto/kernel';
import { WebhookAttempt, WebhookEndpoint, WebhookMessage } from './entities/webhook.entities';
import { webhookMigrations } from './migrations';
import { WebhookEvents } from './events';
import { webhooksRouter } from './router';
import { webhookConfigSchema } from './config';
import { requeueStuckTask, webhookFanOut } from './consumers';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateSecret, updateEndpoint } from './endpoints.service';
import { getMessage, listDeadLetters, listEndpointMessages, recoverEndpoint, replayMessage, sendTestMessage } from './messages.service';
import { listEventTypes } from './event-types.service';
import { assertSecretsKey } from './secrets';

export { webhooksRouter } from './router';
export { webhookConfig, webhookConfigSchema, type WebhookConfig } from './config';
export { WebhooksQueue, WEBHOOK_DELIVER_JOB } from './queue';
export { WebhookErrors } from './errors';
export { fanOutEvent, fanOutEvents, matchesFilters, payloadFor, type FanOutItem } from './fanout.service';
export { dispatchNow, queueDeliveries, type QueuedDelivery } from './outbox';
export { deliverMessage, nextDelay, withJitter, type DeliveryOutcome, type AttemptObservation } from './delivery.service';
export { requeueStuckMessages } from './maintenance';
export { createEndpoint, getEndpoint, rotateSecret, updateEndpoint, deleteEndpoint, listEndpoints } from './endpoints.service';
export { replayMessage, recoverEndpoint, sendTestMessage, getMessage, listDeadLetters, listEndpointMessages } from './messages.service';
export { WebhookEvents } from './events';
export { webhookFanOut, requeueStuckTask } from './consumers';
export { generateSecret, sign, webhookHeaders } from './signing';
export { assertSecretsKey } from './secrets';
export { parseDuration, parseDurationList } from './duration';
export { webhookPayloadSchema, webhookPayloadJsonSchema } from './events';

export const webhooksSchema: ModuleSchema = {
  entities: [WebhookEndpoint, WebhookMessage, WebhookAttempt],
  migrations: webhookMigrations,
};

export const webhooksModule = defineModule({
  name: 'webhooks',
  routers: { webhooks: webhooksRouter },
  schema: webhooksSchema,
  events: [WebhookEvents],
  config: webhookConfigSchema,
  services: {
    createEndpoint,
    listEndpoints,
    getEndpoint,
    updateEndpoint,
    deleteEndpoint,
    rotateSecret,
    sendTestMessage,
    listEndpointMessages,
    getMessage,
    replayMessage,
    listDeadLetters,
    recoverEndpoint,
    listEventTypes,
  },
  consumers: [webhookFanOut],
  maintenance: [requeueStuckTask],
  /** Refuse to run deliveries in production without the key that seals signing secrets. */
  start({ config, process }) {
    if (process === 'workers') assertSecretsKey(config);
  },
});
