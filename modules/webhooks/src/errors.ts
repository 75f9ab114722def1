import { defineErrors } from '@plinto/kernel';

export const WebhookErrors = defineErrors({
  WEBHOOK_ENDPOINT_NOT_FOUND: { status: 404, message: 'Webhook endpoint not found' },
  WEBHOOK_ORGANIZATION_NOT_FOUND: { status: 404, message: 'No such organization in this tenant' },
  WEBHOOK_MESSAGE_NOT_FOUND: { status: 404, message: 'Webhook message not found' },
  WEBHOOK_URL_NOT_ALLOWED: { status: 400, message: 'This URL cannot receive webhooks' },
  WEBHOOK_ENDPOINT_DISABLED: { status: 409, message: 'The endpoint is disabled; enable it first' },
  WEBHOOK_MESSAGE_IN_FLIGHT: { status: 409, message: 'The message is being delivered; try again once it settles' },
});
