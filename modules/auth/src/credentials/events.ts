import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const keyRef = { name: z.string(), prefix: z.string() };
const clientRef = { name: z.string(), clientId: z.string() };
const scope = { organizationId: z.uuid().nullable() };

/** The events of API keys and machine clients (the action catalog, webhook event types). */
export const CredentialEvents = defineEvents('auth', {
  'api_key.created': {
    description: 'An API key was created (its secret is never recorded)',
    data: z.object({ ...keyRef, ...scope, role: z.string(), expiresAt: z.string().nullable() }),
  },
  'api_key.revoked': { description: 'An API key was revoked; it is refused from now on', data: z.object(keyRef) },
  'api_key.rejected': {
    description: 'A revoked or expired API key, or a wrong secret for a real key, was presented (at most one event a minute per key)',
    data: z.object({ prefix: z.string(), reason: z.enum(['revoked', 'expired', 'secret_mismatch']) }),
  },
  'machine_client.created': {
    description: 'A machine client was created (its secret is never recorded)',
    data: z.object({ ...clientRef, ...scope, roles: z.array(z.string()), scopes: z.array(z.string()) }),
  },
  'machine_client.revoked': { description: 'A machine client was revoked; its secret is refused from now on', data: z.object(clientRef) },
  'machine_client.authentication_failed': {
    description: 'A wrong secret was sent for a machine client, or a revoked client tried to authenticate (at most one event a minute per client)',
    data: z.object({ clientId: z.string(), reason: z.enum(['revoked', 'secret_mismatch']) }),
  },
});
