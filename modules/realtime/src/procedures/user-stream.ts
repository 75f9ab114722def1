import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { resumable, streamOf } from './subscribe-stream';

/** The signed-in user's own events: sessions revoked or signed out elsewhere, password/email/MFA changes, roles, memberships, organization switches. */
export const userStreamProcedure = procedure
  .meta({ access: 'self' })
  .input(z.object(resumable).optional())
  .subscription(({ ctx, input, signal }) => streamOf(ctx, { kind: 'user' }, input?.lastEventId, signal));
