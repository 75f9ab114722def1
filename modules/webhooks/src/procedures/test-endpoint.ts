import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { sendTestMessage } from '../messages.service';
import { endpointIdParam, messageOutput } from '../webhook.schemas';

export const testEndpointProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'POST', path: '/webhooks/endpoints/{endpointId}/test', tags: ['webhooks'], summary: 'Queue a signed test message to the endpoint', protect: true },
    successStatus: 201,
  })
  .input(
    z.object({
      endpointId: endpointIdParam,
      eventType: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/).max(200).optional().describe('Default `webhook.test`'),
      data: z.record(z.string(), z.unknown()).optional().describe('The `data` of the test payload'),
    }),
  )
  .output(messageOutput)
  .mutation(({ ctx, input }) => {
    const { endpointId, ...rest } = input;
    return sendTestMessage(ctx.sc, endpointId, rest);
  });
