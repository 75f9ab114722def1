import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listEndpointMessages } from '../messages.service';
import { endpointIdParam, messageOutput, messageStatus } from '../webhook.schemas';

export const listMessagesProcedure = procedure
  .meta({
    permission: 'webhooks:read',
    openapi: { method: 'GET', path: '/webhooks/endpoints/{endpointId}/messages', tags: ['webhooks'], summary: "An endpoint's messages with every delivery attempt, newest first", protect: true },
  })
  .input(z.object({ endpointId: endpointIdParam, ...pageInput, status: messageStatus.optional(), eventType: z.string().max(200).optional() }))
  .output(pageOf(messageOutput))
  .query(({ ctx, input }) => listEndpointMessages(ctx.sc, input.endpointId, input));
