import { z } from 'zod';
import { auditActor, protectedProcedure } from '@plinto/kernel';
import { replayMessage } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const replayMessageProcedure = protectedProcedure('webhooks:write')
  .meta({
    openapi: { method: 'POST', path: '/webhooks/messages/{messageId}/replay', tags: ['webhooks'], summary: 'Send a past message again (same webhook-id, fresh retry schedule)', protect: true },
  })
  .input(z.object({ messageId: z.uuid() }))
  .output(messageOutput)
  .mutation(({ ctx, input }) => replayMessage(ctx.em, ctx.config, auditActor(ctx.request, ctx.principal), ctx.tenant.id, input.messageId));
