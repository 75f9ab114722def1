import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { updateEndpoint } from '../endpoints.service';
import { endpointIdParam, endpointMetadata, endpointOutput, endpointUrl, eventTypeFilter } from '../webhook.schemas';

export const updateEndpointProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'PATCH', path: '/webhooks/endpoints/{endpointId}', tags: ['webhooks'], summary: 'Change a webhook endpoint (enable/disable it with `enabled`)', protect: true },
  })
  .input(
    z.object({
      endpointId: endpointIdParam,
      url: endpointUrl.optional(),
      description: z.string().trim().max(500).optional(),
      eventTypes: z.array(eventTypeFilter).max(100).optional(),
      enabled: z.boolean().optional(),
      metadata: endpointMetadata.optional(),
      organizationId: z.uuid().nullable().optional(),
    }),
  )
  .output(endpointOutput)
  .mutation(({ ctx, input }) => {
    const { endpointId, ...patch } = input;
    return updateEndpoint(ctx.sc, endpointId, patch);
  });
