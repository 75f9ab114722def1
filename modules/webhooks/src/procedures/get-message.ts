import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { getMessage } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const getMessageProcedure = protectedProcedure('webhooks:read')
  .meta({ openapi: { method: 'GET', path: '/webhooks/messages/{messageId}', tags: ['webhooks'], summary: 'A message with every delivery attempt', protect: true } })
  .input(z.object({ messageId: z.uuid() }))
  .output(messageOutput)
  .query(({ ctx, input }) => getMessage(ctx.em, ctx.tenant.id, input.messageId));
