import { router } from '@plinto/kernel';
import { moduleRouters } from '@plinto/platform';
import { systemRouter } from './system';

/** Every module's router, composed. /trpc, /v1 (REST) and the OpenAPI document all serve this one. */
export const appRouter = router({ system: systemRouter, ...moduleRouters });

export type AppRouter = typeof appRouter;
