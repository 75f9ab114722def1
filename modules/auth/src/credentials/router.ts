import { router } from '@plinto/kernel';
import { createApiKeyProcedure, listApiKeysProcedure, revokeApiKeyProcedure } from './procedures/api-keys';
import { createClientProcedure, listClientsProcedure, revokeClientProcedure } from './procedures/clients';

export const apiKeysRouter = router({
  create: createApiKeyProcedure,
  list: listApiKeysProcedure,
  revoke: revokeApiKeyProcedure,
});

export const clientsRouter = router({
  create: createClientProcedure,
  list: listClientsProcedure,
  revoke: revokeClientProcedure,
});
