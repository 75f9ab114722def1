import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { ORGANIZATION_STREAM_PERMISSION } from '../streams';
import { resumable, streamOf } from './subscribe-stream';

/** One organization's events (members, teams, invitations, settings), each as the caller may read it there. */
export const organizationStreamProcedure = procedure
  .meta({ permission: ORGANIZATION_STREAM_PERMISSION })
  .input(z.object({ organizationId: z.uuid(), ...resumable }))
  .subscription(({ ctx, input, signal }) => streamOf(ctx, { kind: 'organization', organizationId: input.organizationId }, input.lastEventId, signal));
