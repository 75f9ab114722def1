import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { replayMessage } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const replayMessageProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: { method: 'POST', path: '/webhooks/messages/{messageId}/replay', tags: ['webhooks'], summary: 'Send a past message again (same webhook-id, fresh retry schedule)', protect: true },
  })
  .input(z.object({ messageId: z.uuid() }))
  .output(messageOutput)
  .mutation(({ ctx, input }) => replayMessage(ctx.sc, input.messageId));
