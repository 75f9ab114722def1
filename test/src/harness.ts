import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import { afterAll } from 'vitest';
import { createLogger, type Config } from '@plinto/kernel';
import { dropTestDatabases, testConfig } from '@plinto/kernel/testing';
import { startApi, type ApiServer, type AppRouter } from '@plinto/api';
import { startWorkers, type WorkersOptions, type WorkersRuntime } from '@plinto/workers';
import { configSections } from '@plinto/platform';

export { waitFor, testConfig, createTestDatabase, uniqueSuffix, TEST_REDIS_URL } from '@plinto/kernel/testing';

const cleanups: (() => Promise<void>)[] = [];

// Whatever a test file started is stopped, and its database dropped, when the file ends.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await dropTestDatabases();
});

export interface TestApi {
  url: string;
  config: Config;
  server: ApiServer;
  /** The platform operator's key (PLINTO_BOOTSTRAP_API_KEY of this test file). */
  platformKey: string;
  trpc(options?: { token?: string; tenant?: string; batch?: boolean }): TRPCClient<AppRouter>;
  rest: Rest;
  close(): Promise<void>;
}

export interface RestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export type Rest = (
  method: string,
  path: string,
  options?: { body?: unknown; token?: string | null; tenant?: string; headers?: Record<string, string> },
) => Promise<RestResponse>;

/** Plain `fetch` against /v1 (or any path): the third-party REST client's view. */
export function restClient(baseUrl: string, defaultToken?: string): Rest {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? defaultToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.tenant) headers['x-plinto-tenant'] = options.tenant;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body };
  };
}

/** The typed tRPC client an application would use. */
export function trpcClient(baseUrl: string, options: { token?: string; tenant?: string; batch?: boolean } = {}): TRPCClient<AppRouter> {
  const headers = () => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.tenant ? { 'x-plinto-tenant': options.tenant } : {}),
  });
  const link = options.batch === false ? httpLink : httpBatchLink;
  return createTRPCClient<AppRouter>({ links: [link({ url: `${baseUrl}/trpc`, transformer: superjson, headers })] });
}

/** Starts the real api (in this process) on an ephemeral port, against this file's own database. */
export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const config = await testConfig(overrides, configSections);
  const server = await startApi(config, createLogger(config, 'test-api'));
  const platformKey = config.PLINTO_BOOTSTRAP_API_KEY!;
  const close = () => server.close();
  cleanups.push(close);
  return {
    url: server.url,
    config,
    server,
    platformKey,
    trpc: (options = {}) => trpcClient(server.url, options),
    rest: restClient(server.url, platformKey),
    close,
  };
}

/** Starts the real workers (in this process) with the same configuration as an api. */
export async function startTestWorkers(config: Config, options?: WorkersOptions): Promise<WorkersRuntime> {
  const runtime = await startWorkers(config, createLogger(config, 'test-workers'), options);
  cleanups.push(() => runtime.close());
  return runtime;
}

/** Registers extra cleanup to run when the test file ends. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}
