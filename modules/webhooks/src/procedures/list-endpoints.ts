import { z } from 'zod';
import { pageInput, pageOf, protectedProcedure } from '@plinto/kernel';
import { listEndpoints } from '../endpoints.service';
import { endpointOutput } from '../webhook.schemas';

export const listEndpointsProcedure = protectedProcedure('webhooks:read')
  .meta({ openapi: { method: 'GET', path: '/webhooks/endpoints', tags: ['webhooks'], summary: "List the tenant's webhook endpoints, newest first", protect: true } })
  .input(z.object(pageInput))
  .output(pageOf(endpointOutput))
  .query(({ ctx, input }) => listEndpoints(ctx.em, ctx.tenant.id, input));
