import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { deleteEndpoint } from '../endpoints.service';
import { endpointIdParam } from '../webhook.schemas';

export const deleteEndpointProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'DELETE', path: '/webhooks/endpoints/{endpointId}', tags: ['webhooks'], summary: 'Delete a webhook endpoint and its delivery log', protect: true },
  })
  .input(z.object({ endpointId: endpointIdParam }))
  .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteEndpoint(ctx.sc, input.endpointId));
