import { createCallerFactory, createContextFactory, createRedis, type Principal } from '@plinto/kernel';
import { contextDeps } from '@plinto/platform';
import { appRouter } from '@plinto/api';
import { onCleanup, type TestApi } from './harness';

/**
 * A tRPC caller acting as `principal` against a running test api's own engine and database,
 * through the real context factory and procedure middleware. For principals the sign-in flows
 * cannot mint yet (or that a test wants with exact attributes, e.g. `amr`).
 */
export function callerAs(api: TestApi, principal: Principal, options: { tenant?: string; ip?: string } = {}) {
  const redis = createRedis(api.config.REDIS_URL, 'producer', 'test-caller');
  onCleanup(async () => redis.disconnect());
  const createContext = createContextFactory({
    ...contextDeps(api.server.services),
    orm: api.server.orm,
    redis,
    config: api.config,
    logger: silentLogger,
    authenticate: async () => principal,
  });
  const req = {
    headers: { authorization: 'Bearer synthetic', ...(options.tenant ? { 'x-plinto-tenant': options.tenant } : {}) },
    socket: { remoteAddress: options.ip ?? '127.0.0.1' },
    ip: options.ip ?? '127.0.0.1',
    id: 'test-caller',
  };
  return {
    async call() {
      const ctx = await createContext({ req: req as never });
      return createCallerFactory(appRouter)(ctx);
    },
  };
}

const noop = () => undefined;
const silentLogger = { info: noop, warn: noop, error: noop, debug: noop, fatal: noop, trace: noop, child: () => silentLogger } as never;

export const userPrincipal = (id: string, tenantId: string, attributes: Record<string, unknown> = {}): Principal => ({ kind: 'user', id, tenantId, attributes });
