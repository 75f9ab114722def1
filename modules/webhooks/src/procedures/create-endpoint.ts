import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { createEndpoint } from '../endpoints.service';
import { endpointMetadata, endpointUrl, endpointWithSecretOutput, eventTypeFilter } from '../webhook.schemas';
import { isValidSecret } from '../signing';

export const createEndpointProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'POST', path: '/webhooks/endpoints', tags: ['webhooks'], summary: 'Create a webhook endpoint (the response holds its secret)', protect: true },
    successStatus: 201,
  })
  .input(
    z.object({
      url: endpointUrl,
      description: z.string().trim().max(500).optional(),
      eventTypes: z.array(eventTypeFilter).max(100).optional().describe('Event types to receive; wildcards like `user.*`; empty or absent: all'),
      enabled: z.boolean().optional(),
      metadata: endpointMetadata.optional(),
      organizationId: z.uuid().optional().describe('Only deliver events of this organization'),
      secret: z.string().refine(isValidSecret, 'A `whsec_` secret with 24 to 64 base64 bytes').optional().describe('Bring your own secret; generated when absent'),
    }),
  )
  .output(endpointWithSecretOutput)
  .mutation(({ ctx, input }) => createEndpoint(ctx.sc, input));
