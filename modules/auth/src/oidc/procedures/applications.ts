import { z } from 'zod';
import { pageOf, procedure } from '@plinto/kernel';
import { createApplication, getApplication, listApplications, revokeApplication, rotateApplicationSecret, updateApplication } from '../applications.service';
import { listMyConsents, revokeMyConsent } from '../consents.service';
import {
  applicationIdInput,
  applicationOutput,
  applicationWithSecretOutput,
  consentOutput,
  createApplicationInput,
  listApplicationsInput,
  updateApplicationInput,
} from '../schemas';

const TAGS = ['applications'];

export const createApplicationProcedure = procedure
  .meta({
    permission: 'applications:write',
    openapi: { method: 'POST', path: '/applications', tags: TAGS, summary: 'Register an OpenID Connect application (a web application gets its client secret in this response only)', protect: true },
    successStatus: 201,
  })
  .input(createApplicationInput)
  .output(applicationWithSecretOutput)
  .mutation(({ ctx, input }) => createApplication(ctx.sc, input));

export const listApplicationsProcedure = procedure
  .meta({ permission: 'applications:read', openapi: { method: 'GET', path: '/applications', tags: TAGS, summary: "List the tenant's applications, newest first", protect: true } })
  .input(listApplicationsInput)
  .output(pageOf(applicationOutput))
  .query(({ ctx, input }) => listApplications(ctx.sc, input));

export const getApplicationProcedure = procedure
  .meta({ permission: 'applications:read', openapi: { method: 'GET', path: '/applications/{id}', tags: TAGS, summary: 'One application', protect: true } })
  .input(applicationIdInput)
  .output(applicationOutput)
  .query(({ ctx, input }) => getApplication(ctx.sc, input.id));

export const updateApplicationProcedure = procedure
  .meta({ permission: 'applications:write', openapi: { method: 'PATCH', path: '/applications/{id}', tags: TAGS, summary: "Change an application's settings (only those given)", protect: true } })
  .input(updateApplicationInput)
  .output(applicationOutput)
  .mutation(({ ctx, input }) => updateApplication(ctx.sc, input));

export const rotateApplicationSecretProcedure = procedure
  .meta({ permission: 'applications:write', openapi: { method: 'POST', path: '/applications/{id}/secret', tags: TAGS, summary: "Replace a web application's client secret (the new one is in this response only)", protect: true } })
  .input(applicationIdInput)
  .output(applicationWithSecretOutput)
  .mutation(({ ctx, input }) => rotateApplicationSecret(ctx.sc, input.id));

export const revokeApplicationProcedure = procedure
  .meta({ permission: 'applications:write', openapi: { method: 'DELETE', path: '/applications/{id}', tags: TAGS, summary: 'Revoke an application: its client id and every token issued to it are refused from now on', protect: true } })
  .input(applicationIdInput)
  .output(applicationOutput)
  .mutation(({ ctx, input }) => revokeApplication(ctx.sc, input.id));

export const listMyConsentsProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/me/consents', tags: TAGS, summary: 'Applications the signed-in user has allowed', protect: true } })
  .input(z.object({}).optional())
  .output(z.array(consentOutput))
  .query(({ ctx }) => listMyConsents(ctx.sc));

export const revokeMyConsentProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'DELETE', path: '/me/consents/{applicationId}', tags: TAGS, summary: "Revoke an application's access: it must ask again, and its sessions end", protect: true } })
  .input(z.object({ applicationId: z.uuid() }))
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(({ ctx, input }) => revokeMyConsent(ctx.sc, input.applicationId));
