import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { TENANT_STREAM_PERMISSION } from '../streams';
import { resumable, streamOf } from './subscribe-stream';

/** Every event of the tenant whose type matches (`*`, `user.*`, `organization.created`), with the webhook payload. For admins and servers. */
export const tenantStreamProcedure = procedure
  .meta({ permission: TENANT_STREAM_PERMISSION })
  .input(z.object({ types: z.array(z.string().min(1).max(200)).min(1).max(50).default(['*']), ...resumable }).optional())
  .subscription(({ ctx, input, signal }) => streamOf(ctx, { kind: 'tenant', types: input?.types ?? ['*'] }, input?.lastEventId, signal));
