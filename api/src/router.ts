import { router } from '@plinto/kernel';
import { tenantsRouter } from '@plinto/tenants';
import { webhooksRouter } from '@plinto/webhooks';
import { apiKeysRouter, authRouter, clientsRouter, sessionsRouter, signingKeysRouter, usersRouter } from '@plinto/auth';
import { policiesRouter } from '@plinto/authz';
import { auditRouter } from '@plinto/audit';
import { orgsRouter } from '@plinto/orgs';
import { invitationsRouter } from '@plinto/invitations';
import { emailTemplatesRouter } from '@plinto/email';
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
  sessions: sessionsRouter,
  signingKeys: signingKeysRouter,
  apiKeys: apiKeysRouter,
  clients: clientsRouter,
  orgs: orgsRouter,
  invitations: invitationsRouter,
  emailTemplates: emailTemplatesRouter,
});

export type AppRouter = typeof appRouter;
