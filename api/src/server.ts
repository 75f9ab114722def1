import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createOrm,
  createRedis,
  createServiceContextFactory,
  ensureDatabase,
  migrate,
  type Config,
  type Logger,
  type MikroORM,
  type ServiceRegistry,
} from '@plinto/kernel';
import { ensureBootstrapKey, ensureDefaultTenant } from '@plinto/tenants';
import { auditConfig, ensurePartitions } from '@plinto/audit';
import { createApp, serviceContextDepsOf } from './app';
import { appRouter } from './router';
import { attachWebSocket, cookieCredentials, expiryOf, realtimeFacts } from './http/realtime';
import type { BrowserSessionDeps } from './http/browser-session';
import { graphQLWebSocket } from './graphql/ws';
import { GRAPHQL_PATH, type GraphQLServer } from './graphql/server';
import { REALTIME_HUB } from '@plinto/realtime';
import { platformSchema, startModules } from '@plinto/platform';

export interface ApiServer {
  url: string;
  port: number;
  orm: MikroORM;
  server: Server;
  /** This process's started module services (engine, token services, event catalog, …). */
  services: ServiceRegistry;
  /** A platform key generated at this start (no key existed and none was configured), else null. */
  generatedPlatformKey: string | null;
  /** Stops accepting connections, lets in-flight requests finish, then closes PostgreSQL and Redis. */
  close(): Promise<void>;
}

/** Prepares the database (create, migrate, seed) so a fresh machine needs no separate step. */
export async function prepareDatabase(config: Config, logger: Logger): Promise<MikroORM> {
  await ensureDatabase(config.DATABASE_URL);
  const orm = await createOrm(config, platformSchema, logger);
  const applied = await migrate(orm, config.DATABASE_URL);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  // Today's and the coming days' audit partitions exist before the first event (the workers keep
  // extending them); cheap when they already exist.
  await ensurePartitions(orm.em.fork(), Date.now() - 86_400_000, auditConfig(config).AUDIT_PARTITIONS_AHEAD_DAYS + 1, logger);
  await ensureDefaultTenant(orm.em.fork());
  return orm;
}

export async function startApi(config: Config, logger: Logger): Promise<ApiServer> {
  const orm = await prepareDatabase(config, logger);
  const generatedPlatformKey = await ensureBootstrapKey(orm.em.fork(), config.PLINTO_BOOTSTRAP_API_KEY);
  const redis = createRedis(config.REDIS_URL, 'producer', 'plinto-api');
  // Give Redis a moment to connect so /ready is truthful from the first request; an api whose
  // Redis is down still starts (it reports not-ready and its writes wait in the outbox).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  // Every module's process services: the decision engine (subscribed to policy changes), signing
  // keys, the access-token verifier and the revocation list, …
  const modules = await startModules({ orm, config, logger, redis, process: 'api' });
  let shuttingDown = false;
  const app = createApp({ orm, redis, config, logger, services: modules.services, isShuttingDown: () => shuttingDown });
  const server = createServer(app);
  // /ws: tRPC subscriptions (and calls) over WebSocket, with the same service contexts.
  const serviceContextOf = createServiceContextFactory(serviceContextDepsOf({ orm, redis, config, logger, services: modules.services }));
  // /graphql over WebSocket (graphql-ws): queries, mutations and subscriptions from the realtime bus.
  const graphqlSocket = graphQLWebSocket({ yoga: app.locals.graphql as GraphQLServer, serviceContextOf, factsOf: realtimeFacts, expiryOf, services: modules.services, config, logger });
  const webSocket = attachWebSocket(server, {
    router: appRouter,
    serviceContextOf,
    services: modules.services,
    config,
    logger,
    cookies: cookieCredentials(app.locals.browserSessions as BrowserSessionDeps),
    upgrades: { [GRAPHQL_PATH]: graphqlSocket.handleUpgrade },
  });
  // Longer than the idle timeout of common load balancers (60 s) and of HTTP clients' pools, so the
  // server is never the side that closes an idle keep-alive connection a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  // On an ephemeral port (PORT=0, tests) the default public URL — and so each tenant's token
  // issuer — is only known now.
  if (config.PORT === 0 && config.PUBLIC_URL.endsWith(':0')) config.PUBLIC_URL = url;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      // Realtime clients are told to reconnect elsewhere and resume (close 1012 / the SSE error) before the server stops.
      graphqlSocket.close();
      modules.services.get(REALTIME_HUB).drain();
      const socketsClosed = webSocket.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
      await Promise.all([closed, socketsClosed]);
      clearTimeout(deadline);
      await modules.close();
      await orm.close();
      redis.disconnect();
    })());

  return { url, port, orm, server, services: modules.services, generatedPlatformKey, close };
}
