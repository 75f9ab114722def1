import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listEndpoints } from '../endpoints.service';
import { endpointOutput } from '../webhook.schemas';

export const listEndpointsProcedure = procedure
  .meta({ permission: 'webhooks:read', openapi: { method: 'GET', path: '/webhooks/endpoints', tags: ['webhooks'], summary: "List the tenant's webhook endpoints, newest first", protect: true } })
  .input(z.object(pageInput))
  .output(pageOf(endpointOutput))
  .query(({ ctx, input }) => listEndpoints(ctx.sc, input));
