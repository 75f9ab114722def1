import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { getMessage } from '../messages.service';
import { messageOutput } from '../webhook.schemas';

export const getMessageProcedure = procedure
  .meta({ permission: 'webhooks:read', openapi: { method: 'GET', path: '/webhooks/messages/{messageId}', tags: ['webhooks'], summary: 'A message with every delivery attempt', protect: true } })
  .input(z.object({ messageId: z.uuid() }))
  .output(messageOutput)
  .query(({ ctx, input }) => getMessage(ctx.sc, input.messageId));
