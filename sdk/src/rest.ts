import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import type { TokenManager } from './client/tokens.js';

export type { paths, components, operations, webhooks } from './generated/openapi.js';

export interface PlintoRestOptions {
  /** Plinto's base URL (PUBLIC_URL); operations live under `/v1`. */
  url: string;
  /** Sent as X-Plinto-Tenant (calls without a credential address this tenant). */
  tenant?: string;
  /** A fixed credential (API key, machine token)… */
  apiKey?: string;
  /** …or a session kept fresh by the tRPC client's TokenManager. */
  tokens?: TokenManager;
  fetch?: typeof fetch;
}

/**
 * A REST client typed from the committed OpenAPI document (openapi-typescript + openapi-fetch),
 * for apps that do not use tRPC: `await rest.GET('/users', { params: { query: { limit: 10 } } })`.
 */
export function createPlintoRest(options: PlintoRestOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl: `${options.url.replace(/\/+$/, '')}/v1`, fetch: options.fetch });
  const auth: Middleware = {
    async onRequest({ request }) {
      if (options.tenant && !request.headers.has('x-plinto-tenant')) request.headers.set('x-plinto-tenant', options.tenant);
      const token = options.apiKey ?? (await options.tokens?.accessToken());
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}
