import { pageOf, procedure } from '@plinto/kernel';
import { createApiKey, listApiKeys, revokeApiKey } from '../api-keys.service';
import { apiKeyOutput, createApiKeyInput, createdApiKeyOutput, idParam, listApiKeysInput } from '../schemas';

const TAGS = ['api-keys'];

export const createApiKeyProcedure = procedure
  .meta({
    permission: 'api_keys:write',
    openapi: { method: 'POST', path: '/api-keys', tags: TAGS, summary: 'Create an API key acting with a role (the response holds the key, shown once)', protect: true },
    successStatus: 201,
  })
  .input(createApiKeyInput)
  .output(createdApiKeyOutput)
  .mutation(({ ctx, input }) => createApiKey(ctx.sc, input));

export const listApiKeysProcedure = procedure
  .meta({ permission: 'api_keys:read', openapi: { method: 'GET', path: '/api-keys', tags: TAGS, summary: "List the tenant's API keys, newest first (never their secrets)", protect: true } })
  .input(listApiKeysInput)
  .output(pageOf(apiKeyOutput))
  .query(({ ctx, input }) => listApiKeys(ctx.sc, input));

export const revokeApiKeyProcedure = procedure
  .meta({ permission: 'api_keys:write', openapi: { method: 'DELETE', path: '/api-keys/{id}', tags: TAGS, summary: 'Revoke an API key; it is refused from the next request on', protect: true } })
  .input(idParam)
  .output(apiKeyOutput)
  .mutation(({ ctx, input }) => revokeApiKey(ctx.sc, input.id));
