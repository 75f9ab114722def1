import { router } from '@plinto/kernel';
import { tenantsRouter } from '@plinto/tenants';
import { webhooksRouter } from '@plinto/webhooks';
import { systemRouter } from './system';

/** Every module's router, composed. /trpc, /v1 (REST) and the OpenAPI document all serve this one. */
export const appRouter = router({
  system: systemRouter,
  tenants: tenantsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
