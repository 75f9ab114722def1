/**
 * API keys and machine clients: credentials for servers and third parties, each acting with authz
 * roles (never more than their creator holds), stored hashed, shown once, revocable.
 * The auth module composes `credentialsSchema` into its schema; the api mounts the routers at
 * `apiKeys` and `clients` and puts `authenticateApiKey` in its bearer chain; the token endpoint
 * authenticates clients with `verifyClientSecret`.
 */
import type { ModuleSchema } from '@plinto/kernel';
import { ApiKey, MachineClient } from './entities';
import { credentialsMigrations } from './migrations';
import { CredentialEvents } from './events';

export { apiKeysRouter, clientsRouter } from './router';
export { authenticateApiKey, verifyClientSecret, findMachineClient, machineClientPrincipal, type MachineClientRef } from './authenticate';
export { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service';
export { createClient, listClients, revokeClient } from './clients.service';
export { API_KEY_PREFIX, CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX } from './secrets';
export { CredentialErrors } from './errors';
export { CredentialEvents };
export { ApiKey, MachineClient };

export const credentialsSchema: ModuleSchema = {
  entities: [ApiKey, MachineClient],
  migrations: credentialsMigrations,
};
