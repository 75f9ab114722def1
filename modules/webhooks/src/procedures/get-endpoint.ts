import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { getEndpoint } from '../endpoints.service';
import { endpointIdParam, endpointOutput } from '../webhook.schemas';

export const getEndpointProcedure = procedure
  .meta({ permission: 'webhooks:read', openapi: { method: 'GET', path: '/webhooks/endpoints/{endpointId}', tags: ['webhooks'], summary: 'Get a webhook endpoint and its health', protect: true } })
  .input(z.object({ endpointId: endpointIdParam }))
  .output(endpointOutput)
  .query(({ ctx, input }) => getEndpoint(ctx.sc, input.endpointId));
