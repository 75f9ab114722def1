import { z } from 'zod';
import { auditActor, protectedProcedure } from '@plinto/kernel';
import { deleteEndpoint } from '../endpoints.service';
import { endpointIdParam } from '../webhook.schemas';

export const deleteEndpointProcedure = protectedProcedure('webhooks:write')
  .meta({
    openapi: { method: 'DELETE', path: '/webhooks/endpoints/{endpointId}', tags: ['webhooks'], summary: 'Delete a webhook endpoint and its delivery log', protect: true },
  })
  .input(z.object({ endpointId: endpointIdParam }))
  .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteEndpoint(ctx.em, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.endpointId));
