import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { getEndpoint } from '../endpoints.service';
import { endpointIdParam, endpointOutput } from '../webhook.schemas';

export const getEndpointProcedure = protectedProcedure('webhooks:read')
  .meta({ openapi: { method: 'GET', path: '/webhooks/endpoints/{endpointId}', tags: ['webhooks'], summary: 'Get a webhook endpoint and its health', protect: true } })
  .input(z.object({ endpointId: endpointIdParam }))
  .output(endpointOutput)
  .query(({ ctx, input }) => getEndpoint(ctx.em, ctx.tenant.id, input.endpointId));
