import { router } from '@plinto/kernel';
import { userStreamProcedure } from './procedures/user-stream';
import { organizationStreamProcedure } from './procedures/organization-stream';
import { tenantStreamProcedure } from './procedures/tenant-stream';

/** Subscriptions only: served over WebSocket (`/ws`) and SSE (`/trpc`), never REST. */
export const realtimeRouter = router({
  user: userStreamProcedure,
  organization: organizationStreamProcedure,
  tenant: tenantStreamProcedure,
});
