import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { recoverEndpoint } from '../messages.service';
import { endpointIdParam } from '../webhook.schemas';

export const recoverEndpointProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'POST', path: '/webhooks/endpoints/{endpointId}/recover', tags: ['webhooks'], summary: "Replay every dead letter of the endpoint created since a time", protect: true },
  })
  .input(z.object({ endpointId: endpointIdParam, since: z.iso.datetime(), until: z.iso.datetime().optional() }))
  .output(z.object({ count: z.number().int().describe('Messages queued again') }))
  .mutation(({ ctx, input }) => {
    const { endpointId, ...rest } = input;
    return recoverEndpoint(ctx.sc, endpointId, rest);
  });
