import { z } from 'zod';
import type { EventCatalog } from '@plinto/kernel';
import { webhookPayloadJsonSchema } from '@plinto/webhooks';

/**
 * The OpenAPI 3.1 `webhooks` section, generated from the modules' event declarations (the same ones
 * every event is validated against when recorded): one operation per event type, whose request
 * body is the Standard Webhooks envelope with that type's `data`. Generated clients and the SDK
 * type their webhook handlers from it.
 */
export function webhooksSection(catalog: EventCatalog): Record<string, unknown> {
  const { $schema: _schema, ...envelope } = webhookPayloadJsonSchema() as { $schema?: string; properties: Record<string, unknown> };
  const headers = {
    'webhook-id': { required: true, schema: { type: 'string' }, description: 'The message id (the same on every retry)' },
    'webhook-timestamp': { required: true, schema: { type: 'string' }, description: 'Unix seconds when the message was signed' },
    'webhook-signature': { required: true, schema: { type: 'string' }, description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures (Standard Webhooks)' },
  };
  return Object.fromEntries(
    catalog.list().map((spec) => {
      const { $schema: _drop, ...data } = z.toJSONSchema(spec.data, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
      const schema = { ...envelope, properties: { ...envelope.properties, type: { const: spec.type }, data } };
      return [
        spec.type,
        {
          post: {
            operationId: `webhook-${spec.type.replace(/\./g, '-')}`,
            summary: spec.description,
            tags: ['webhook events'],
            'x-plinto-module': spec.module,
            parameters: Object.entries(headers).map(([name, header]) => ({ name, in: 'header', ...header })),
            requestBody: { required: true, content: { 'application/json': { schema } } },
            responses: { '2XX': { description: 'Received; any 2xx ends the retries' }, '410': { description: 'Gone: the endpoint is disabled' } },
          },
        },
      ];
    }),
  );
}
