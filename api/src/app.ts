import express, { type ErrorRequestHandler, type Express } from 'express';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { createOpenApiExpressMiddleware } from 'trpc-to-openapi';
import { createContextFactory, createServiceContextFactory, isDependencyOutage, type Config, type Logger, type MikroORM, type PlintoMeta, type Redis, type ServiceRegistry } from '@plinto/kernel';
import { contextDeps } from '@plinto/platform';
import { appRouter } from './router';
import { buildOpenApiDocument } from './openapi';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import { emptyBodyAsJson, restErrorShape } from './http/rest-errors';
import { sendError } from './http/error-body';
import { createMetrics } from './http/metrics';
import { docsRouter } from './http/docs';
import { readiness } from './http/health';
import { auditExportRoute } from './http/audit-export';
import { oauthEndpoints } from './http/oauth';
import { oidcRouter } from './http/oidc';
import { BROWSER_OIDC_PATHS, publicDocumentsCors } from './http/application-cors';
import { failureMeta } from './http/failure-meta';
import { noteRoute, noteTenant, requestScope } from './http/request-scope';
import { accessLog } from './http/access-log';
import { countSignInFailure, countSignInSuccesses, observeAuthEvents } from './observability/auth-metrics';
import { trpcFastPath } from './http/trpc-fast-path';
import { adminConsoleRouter } from './http/admin-console';
import { browserSessionIdOf, browserSessionOf, clearBrowserSession, installBrowserSessions, requireCsrf } from './http/browser-session';
import { sessionRoutes } from './http/session-routes';
import { consoleCallFacts, consoleCsrf, operatorSessionRoutes } from './http/operator-session';
import { policyBundleRoutes } from './http/policy-bundle';
import { socialRoutes } from './http/social-routes';
import { pagesRouter } from './http/pages';
import { cors } from './http/cors';
import { createGraphQLServer, GRAPHQL_PATH } from './graphql/server';
import { cookieCredentials, realtimeCors, realtimeHttpContext } from './http/realtime';

export interface AppDeps {
  orm: MikroORM;
  redis: Redis;
  config: Config;
  logger: Logger;
  /** The process's started module services (engine, token services, …). */
  services: ServiceRegistry;
  /** True once SIGTERM arrived: responses ask clients to close keep-alive connections. */
  isShuttingDown: () => boolean;
}

const metaOf = (path: string | undefined): PlintoMeta | undefined =>
  path ? (appRouter._def.procedures as unknown as Record<string, { _def: { meta?: PlintoMeta } }>)[path]?._def.meta : undefined;

/** The HTTP status a successful REST call answers with (201 for creations, declared in meta). */
const successStatus = (path: string | undefined): number | undefined => metaOf(path)?.successStatus;

/** A REST call's route template, from its procedure's OpenAPI path (`/v1/tenants/{id}`). */
const restRoute = (path: string | undefined): string | undefined => {
  const openapi = metaOf(path)?.openapi;
  return openapi ? `/v1${openapi.path}` : undefined;
};

const noted = <T extends { slug: string } | null>(tenant: T): T => {
  noteTenant(tenant?.slug);
  return tenant;
};

/** What every transport of the api builds its service contexts from. */
export function serviceContextDepsOf(deps: Omit<AppDeps, 'isShuttingDown'>) {
  // The tenant a call resolves is noted for its access-log line and span.
  const lookups = contextDeps(deps.services);
  return {
    ...lookups,
    findTenantBySlug: async (...args: Parameters<typeof lookups.findTenantBySlug>) => noted(await lookups.findTenantBySlug(...args)),
    findTenantById: async (...args: Parameters<typeof lookups.findTenantById>) => noted(await lookups.findTenantById(...args)),
    orm: deps.orm,
    redis: deps.redis,
    config: deps.config,
    logger: deps.logger,
  };
}

/** Whether a request goes to /trpc or /v1, as `app.use('/v1')` matches: case-insensitively, a whole segment. */
export function isApiPath(url: string): boolean {
  const prefix = url.charCodeAt(1) === 118 || url.charCodeAt(1) === 86 ? 3 : 5;
  const head = url.slice(1, prefix).toLowerCase();
  if (head !== 'v1' && head !== 'trpc') return false;
  const next = url.charCodeAt(prefix);
  return Number.isNaN(next) || next === 47 || next === 63; // end, '/' or '?'
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  const metrics = createMetrics(deps.orm);
  observeAuthEvents();
  const openApiDocument = buildOpenApiDocument();
  const serviceContextDeps = serviceContextDepsOf(deps);
  // tRPC and REST accept the hosted pages' session cookie as a credential (CSRF-checked by consoleCsrf),
  // and the platform operator's console cookie on calls that ask for it (X-Plinto-Operator: 1).
  const factsOf = consoleCallFacts(config);
  const createContext = createContextFactory(serviceContextDeps, (req) => factsOf(req as express.Request));
  const serviceContextOf = createServiceContextFactory(serviceContextDeps);
  const onError = ({ error, path, ctx }: { error: { code: string; message: string; cause?: unknown }; path?: string; ctx?: { request: { requestId: string } } }) => {
    countSignInFailure(path, error);
    if (error.code === 'INTERNAL_SERVER_ERROR' && isDependencyOutage(error)) {
      logger.warn({ err: error.cause ?? error, path, requestId: ctx?.request.requestId }, 'dependency unavailable');
    } else if (error.code === 'INTERNAL_SERVER_ERROR') {
      logger.error({ err: error.cause ?? error, path, requestId: ctx?.request.requestId }, 'procedure failed');
    }
  };

  // Browser scripts of a tenant's allowed origins may call the API with bearer tokens (CORS).
  const apiCors = cors({ orm: deps.orm, config, findTenantBySlug: serviceContextDeps.findTenantBySlug });
  const jsonBody = express.json({ limit: config.HTTP_BODY_LIMIT_BYTES });

  const browserSessions = { orm: deps.orm, config, findTenantBySlug: serviceContextDeps.findTenantBySlug };
  installBrowserSessions(app, browserSessions);
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false);
  app.use(requestId);
  app.use(requestScope);
  app.use(accessLog(logger, metrics.observe));
  app.use(securityHeaders());
  app.use((_req, res, next) => {
    if (deps.isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
  const oauth = oauthEndpoints({ orm: deps.orm, config, logger, services: deps.services });
  app.use(oauth.tokenFastPath);

  // The API surfaces (/trpc, /v1) in a router of their own, dispatched by path prefix before every
  // other route: an API call never walks the pages, console, session, social, OAuth or GraphQL
  // routers (each a few layers of path matching per request, measured). Same order as before:
  // CORS, the JSON body, CSRF for cookie-authenticated calls, then the handlers; anything under
  // the prefixes that none answers gets the same ROUTE_NOT_FOUND.
  const apiSurface = express.Router();
  apiSurface.use(apiCors);
  apiSurface.use(jsonBody);
  apiSurface.use(consoleCsrf(config));
  apiSurface.use(
    '/trpc',
    realtimeCors(config),
    trpcFastPath({ router: appRouter, createContext: createContext as never, onError: onError as never }),
    createExpressMiddleware({
      router: appRouter,
      // SSE subscriptions (httpSubscriptionLink) get a realtime connection; every other call the usual context.
      // The console's session cookies count on streams from Plinto's own origin only.
      createContext: realtimeHttpContext(createContext, { serviceContextOf, services: deps.services, config, logger, cookies: cookieCredentials(browserSessions) }),
      maxBatchSize: config.TRPC_MAX_BATCH_SIZE,
      onError,
      responseMeta: ({ paths, data, errors }) => {
        // Results as sent: superjson wraps each in `{ json }`.
        const results = data.map((d) => (d && 'result' in d ? (d.result as { data?: { json?: unknown } }).data : undefined));
        countSignInSuccesses(paths, results.map((r) => (r && typeof r === 'object' && 'json' in r ? r.json : r)));
        return failureMeta(errors);
      },
    }),
  );
  apiSurface.post('/v1/audit-logs/export', auditExportRoute(serviceContextOf, logger));
  apiSurface.use(
    '/v1',
    restErrorShape,
    emptyBodyAsJson,
    createOpenApiExpressMiddleware({
      router: appRouter,
      createContext,
      onError,
      maxBodySize: config.HTTP_BODY_LIMIT_BYTES,
      responseMeta: ({ paths, data, errors }) => {
        const route = restRoute(paths?.[0]);
        if (route) noteRoute(route);
        if (errors.length > 0) return failureMeta(errors);
        countSignInSuccesses(paths, data);
        // A tenant's public branding may be cached briefly (by the tenant it was asked for).
        // (A plain object: this adapter sets the entries of `headers`, which a Headers object has none of.)
        if (paths?.[0] === 'tenants.branding') return { headers: { 'cache-control': 'public, max-age=60', vary: 'Authorization, X-Plinto-Tenant' } as unknown as Headers };
        const status = successStatus(paths?.[0]);
        return status ? { status } : {};
      },
    }),
  );

  apiSurface.use((_req, res) => sendError(res, 'ROUTE_NOT_FOUND'));

  app.use((req, res, next) => (isApiPath(req.url) ? apiSurface(req, res, next) : next()));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', readiness(deps.orm, deps.redis));
  app.get('/metrics', metrics.serve);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/docs', docsRouter());
  app.use('/admin', adminConsoleRouter());

  // The OIDC endpoints browser apps call cross-origin: the same CORS as the API's.
  app.use(BROWSER_OIDC_PATHS, apiCors);
  app.use('/t/:tenant/.well-known', publicDocumentsCors);
  // Before the JSON parser: these endpoints take form-encoded bodies (RFC 6749).
  app.use('/t/:tenant', oauth.router);
  app.use('/t/:tenant', oidcRouter({ orm: deps.orm, config, logger, services: deps.services }, { sessionOf: browserSessionOf, sessionIdOf: browserSessionIdOf, clear: clearBrowserSession, requireCsrf }));
  app.use(jsonBody);
  app.use('/t/:tenant/session', sessionRoutes({ serviceContextOf, logger }));
  app.use('/platform/session', operatorSessionRoutes({ orm: deps.orm, config, logger, services: deps.services }));
  app.use('/t/:tenant/social', socialRoutes({ serviceContextOf, config, logger }));
  app.use('/t/:tenant/authz', policyBundleRoutes({ serviceContextOf, logger }));
  app.use(pagesRouter({ orm: deps.orm, config, findTenantBySlug: serviceContextDeps.findTenantBySlug }));
  // SSE subscriptions (Accept: text/event-stream) get a realtime connection, as /trpc's do.
  const graphql = createGraphQLServer({ config, logger, createContext: realtimeHttpContext(createContext, { serviceContextOf, services: deps.services, config, logger }) as never });
  app.locals.graphql = graphql;
  app.use(GRAPHQL_PATH, (req, res) => graphql(req, res));
  app.use((_req, res) => sendError(res, 'ROUTE_NOT_FOUND'));
  const errorHandler: ErrorRequestHandler = (err: { type?: string; status?: number }, req, res, _next) => {
    // (body-parser's form parser counts fields too: past its parameterLimit the form is too large.)
    if (err.type === 'entity.too.large' || err.type === 'parameters.too.many') return sendError(res, 'PAYLOAD_TOO_LARGE');
    if (err.type === 'entity.parse.failed') return sendError(res, 'MALFORMED_REQUEST');
    if (err.status === 415 || err.type === 'encoding.unsupported') return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    if (isDependencyOutage(err)) {
      logger.warn({ err, requestId: req.id }, 'dependency unavailable');
      return sendError(res, 'SERVICE_UNAVAILABLE');
    }
    logger.error({ err, requestId: req.id }, 'unhandled request error');
    sendError(res, 'INTERNAL');
  };
  app.use(errorHandler);
  return app;
}
