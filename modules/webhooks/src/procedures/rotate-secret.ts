import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { rotateSecret } from '../endpoints.service';
import { endpointIdParam, endpointWithSecretOutput } from '../webhook.schemas';
import { isValidSecret } from '../signing';

export const rotateSecretProcedure = procedure
  .meta({
    permission: 'webhooks:write',
    openapi: {
      method: 'POST',
      path: '/webhooks/endpoints/{endpointId}/rotate-secret',
      tags: ['webhooks'],
      summary: 'Replace the signing secret; the old one keeps signing during the overlap',
      protect: true,
    },
  })
  .input(
    z.object({
      endpointId: endpointIdParam,
      overlapSeconds: z.number().int().min(0).max(7 * 86_400).optional().describe('How long the old secret keeps signing (default WEBHOOK_ROTATION_OVERLAP; 0 revokes it now)'),
      secret: z.string().refine(isValidSecret, 'A `whsec_` secret with 24 to 64 base64 bytes').optional(),
    }),
  )
  .output(endpointWithSecretOutput)
  .mutation(({ ctx, input }) => {
    const { endpointId, ...rest } = input;
    return rotateSecret(ctx.sc, endpointId, rest);
  });
