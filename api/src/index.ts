/** @plinto/api — the api process, composed from every module. */
export { appRouter, type AppRouter } from './router';
export { createApp } from './app';
export { startApi, prepareDatabase, type ApiServer } from './server';
export { buildOpenApiDocument, API_VERSION } from './openapi';
export { platformSchema } from '@plinto/platform';
export { buildSchema as buildGraphQLSchema } from './graphql/schema';
export { renderSdl, committedSdl } from './graphql/sdl';
export { ACCESS_TOKEN_COOKIE } from './http/realtime';
