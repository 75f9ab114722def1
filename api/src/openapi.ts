import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import type { PlintoMeta } from '@plinto/kernel';
import { exportInput } from '@plinto/audit';
import { oauthPaths, oauthSecuritySchemes } from './openapi-oauth';
import { policyBundlePaths } from './openapi-policy-bundle';
import { webhooksSection } from './openapi-webhooks';
import { eventCatalog } from '@plinto/platform';
import { appRouter } from './router';
import { describeContract, describeRestOperation } from './openapi-contract';

export const API_VERSION = '0.1.0';

/** The body of every REST error (see http/rest-errors.ts). */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Machine-readable error code, e.g. VALIDATION_FAILED, TENANT_NOT_FOUND' },
        message: { type: 'string', description: 'Human-readable explanation' },
        fields: {
          type: 'array',
          description: 'For invalid input: the fields at fault',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
          },
        },
        details: { type: 'object', additionalProperties: true },
        requestId: { type: 'string', description: 'Echoed in the X-Request-Id header; quote it in support requests' },
      },
    },
  },
} as const;

type Operation = { responses: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>; [key: string]: unknown };

/**
 * Makes the generated document describe what the server really does: every error response uses our
 * error body, creations answer with their declared success status (201), and each protected
 * operation names the permission it requires (`x-plinto-permission`).
 */
function describeServerBehaviour(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(schemas)) if (name.startsWith('error.')) delete schemas[name];
  schemas.Error = ERROR_SCHEMA;
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: PlintoMeta } }>;
  for (const { _def } of Object.values(procedures)) {
    const openapi = _def.meta?.openapi;
    if (!openapi) continue;
    const operation = (document.paths?.[openapi.path] as Record<string, Operation> | undefined)?.[openapi.method.toLowerCase()];
    if (!operation) continue;
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) >= 400 && response.content) response.content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
    }
    const success = _def.meta?.successStatus;
    if (success && success !== 200 && operation.responses['200']) {
      operation.responses[String(success)] = operation.responses['200'];
      delete operation.responses['200'];
    }
    if (_def.meta?.permission) operation['x-plinto-permission'] = _def.meta.permission;
    describeRestOperation(operation, openapi.method.toLowerCase(), _def.meta?.access === 'public');
  }
  const exported = (document.paths?.['/audit-logs/export'] as Record<string, Operation>).post!;
  describeRestOperation(exported, 'post', false);
  return document;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** Routes served by express handlers next to the generated ones (streamed bodies); see http/audit-export.ts. */
const streamedPaths = {
  '/audit-logs/export': {
    post: {
      operationId: 'auditLogs-export',
      summary: 'Export audit events as a streamed JSON Lines or CSV file (same filters and views as the query)',
      tags: ['audit'],
      security: [{ bearer: [] }],
      'x-plinto-permission': 'audit:read',
      requestBody: { required: false, content: { 'application/json': { schema: exportInput } } },
      responses: {
        200: {
          description: 'The file, newest event first; the X-Plinto-Export-Limit header tells the row cap applied',
          content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
        },
        400: errorResponse('Invalid input data'),
        401: errorResponse('Authorization not provided'),
        403: errorResponse('Insufficient access'),
      },
    },
  },
} as never;

/**
 * The OpenAPI 3.1 document of the /v1 REST surface, generated from the same router that serves
 * it. The server URL is relative (`/v1`), so the committed document is the same on every machine.
 */
export function buildOpenApiDocument(): OpenAPIObject {
  const document = describeServerBehaviour(
    generateOpenApiDocument(appRouter, {
      title: 'Plinto API',
      description:
        'Plinto is a self-hosted identity and access platform. Every operation here is also a typed tRPC procedure at /trpc.',
      version: API_VERSION,
      baseUrl: '/v1',
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A platform API key, API key or access token' },
      },
      paths: { ...(streamedPaths as Record<string, never>), ...(oauthPaths as unknown as Record<string, never>), ...(policyBundlePaths as unknown as Record<string, never>) },
    }),
  );
  // Client authentication of the OAuth endpoints; added after generation so that the /v1
  // operations keep `bearer` as their only scheme.
  Object.assign((document.components ??= {}).securitySchemes ??= {}, oauthSecuritySchemes);
  // What Plinto sends: every declared event type, as webhook deliveries.
  (document as { webhooks?: unknown }).webhooks = webhooksSection(eventCatalog);
  return describeContract(document);
}
