import type { OpenAPIObject } from 'trpc-to-openapi';
import { OPERATION_EXAMPLES } from './openapi-examples';

/**
 * What generated REST clients need to know beyond what trpc-to-openapi derives from the routers
 * (issue 20): how a call names its tenant, which operations need no credential, the statuses every
 * operation can answer besides its own (409 on writes, 429 and 503 with Retry-After), examples,
 * and how webhook deliveries are authenticated. Applied once to the generated document.
 */

export const TENANT_HEADER = 'X-Plinto-Tenant';

const retryAfter = {
  description: 'Seconds to wait before retrying (always sent with 429 and 503)',
  required: true,
  schema: { type: 'integer', minimum: 1 },
  example: 5,
};

const errorContent = (code: string, message: string) => ({
  'application/json': {
    schema: { $ref: '#/components/schemas/Error' },
    example: { error: { code, message, requestId: '01J9ZQ4G6V7M3XK2B8N5T0R1CD' } },
  },
});

export const contractComponents = {
  parameters: {
    Tenant: {
      name: TENANT_HEADER,
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' },
      example: 'acme',
      description:
        "The tenant's slug. Calls without a credential (sign-up, sign-in, …) address this tenant (`default` when absent); a credential's own tenant always wins over it.",
    },
  },
  headers: { RetryAfter: retryAfter },
  responses: {
    Conflict: { description: 'Conflicts with the current state (a taken email or slug, a concurrent change)', content: errorContent('CONFLICT', 'The request conflicts with the current state') },
    TooManyRequests: {
      description: 'Throttled (per client IP or account); wait Retry-After seconds',
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      content: errorContent('RATE_LIMITED', 'Too many requests'),
    },
    ServiceUnavailable: {
      description: 'A dependency (database, Redis) is unavailable; retry after Retry-After seconds',
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      content: errorContent('SERVICE_UNAVAILABLE', 'A dependency is unavailable; try again shortly'),
    },
  },
  securitySchemes: {
    webhookSignature: {
      type: 'apiKey',
      in: 'header',
      name: 'webhook-signature',
      description: 'Standard Webhooks: HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint secret (verifyWebhook in @plinto/sdk)',
    },
  },
};

type Operation = {
  operationId?: string;
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: { content?: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> } | { $ref: string }>;
};

const WRITES = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Decorates one /v1 operation: `publicOperation` (meta `access: 'public'`) gets an empty security
 * requirement; every operation takes the tenant header and declares 429/503, writes 409.
 */
export function describeRestOperation(target: object, method: string, publicOperation: boolean): void {
  const operation = target as Operation;
  if (publicOperation || !operation.security) operation.security = [];
  operation.parameters = [{ $ref: '#/components/parameters/Tenant' }, ...(operation.parameters ?? [])];
  if (WRITES.has(method)) operation.responses['409'] ??= { $ref: '#/components/responses/Conflict' };
  operation.responses['429'] ??= { $ref: '#/components/responses/TooManyRequests' };
  operation.responses['503'] ??= { $ref: '#/components/responses/ServiceUnavailable' };
  const examples = operation.operationId ? OPERATION_EXAMPLES[operation.operationId] : undefined;
  if (!examples) return;
  const request = operation.requestBody?.content?.['application/json'];
  if (request && examples.request) request.example = examples.request;
  for (const [status, example] of Object.entries(examples.responses ?? {})) {
    const response = operation.responses[status];
    const content = response && 'content' in response ? response.content?.['application/json'] : undefined;
    if (!content) throw new Error(`openapi examples: ${operation.operationId} declares no ${status} JSON response`);
    content.example = example;
  }
}

/** Document-wide parts: components, license, and webhook deliveries' own authentication. */
export function describeContract(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {}) as Record<string, Record<string, unknown>>;
  for (const [section, entries] of Object.entries(contractComponents)) Object.assign((components[section] ??= {}), entries);
  document.info.license = { name: 'MIT', identifier: 'MIT' };
  const webhooks = (document as { webhooks?: Record<string, { post: Operation }> }).webhooks ?? {};
  for (const path of Object.values(webhooks)) path.post.security = [{ webhookSignature: [] }];
  return document;
}
