import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from './router';

export const API_VERSION = '0.1.0';

/**
 * The OpenAPI 3.1 document of the /v1 REST surface, generated from the same router that serves
 * it. The server URL is relative (`/v1`), so the committed document is the same on every machine.
 */
export function buildOpenApiDocument(): OpenAPIObject {
  return generateOpenApiDocument(appRouter, {
    title: 'Plinto API',
    description:
      'Plinto is a self-hosted identity and access platform. Every operation here is also a typed tRPC procedure at /trpc.',
    version: API_VERSION,
    baseUrl: '/v1',
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'A platform API key, API key or access token' },
    },
  });
}
