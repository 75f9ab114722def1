import { router } from '@plinto/kernel';
import { tenantsRouter } from '@plinto/tenants';
import { webhooksRouter } from '@plinto/webhooks';
import { authRouter, usersRouter } from '@plinto/auth';
import { policiesRouter } from '@plinto/authz';
import { auditRouter } from '@plinto/audit';
import { systemRouter } from './system';

/** Every module's router, composed. /trpc, /v1 (REST) and the OpenAPI document all serve this one. */
export const appRouter = router({
  system: systemRouter,
  tenants: tenantsRouter,
  webhooks: webhooksRouter,
  auth: authRouter,
  users: usersRouter,
  policies: policiesRouter,
  auditLogs: auditRouter,
});

export type AppRouter = typeof appRouter;
