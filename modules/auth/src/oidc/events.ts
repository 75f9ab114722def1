import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const appRef = { name: z.string(), clientId: z.string() };

/** The events of OpenID Connect applications and consents (the action catalog, webhook event types). */
export const OidcEvents = defineEvents('auth', {
  'application.created': {
    description: 'An OpenID Connect application was registered (its secret is never recorded)',
    data: z.object({ ...appRef, type: z.string(), redirectUris: z.array(z.string()), firstParty: z.boolean() }),
  },
  'application.updated': { description: 'An application changed', data: z.object({ ...appRef, changed: z.array(z.string()) }) },
  'application.secret_rotated': { description: "A web application's client secret was replaced", data: z.object(appRef) },
  'application.revoked': { description: 'An application was revoked: its client id and tokens are refused from now on', data: z.object(appRef) },
  'consent.granted': { description: 'A user allowed an application the listed scopes', data: z.object({ ...appRef, userId: z.uuid(), scopes: z.array(z.string()) }) },
  'consent.revoked': { description: "A user revoked an application's consent (its sessions ended)", data: z.object({ ...appRef, userId: z.uuid() }) },
  'authorization_code.replayed': {
    description: 'An authorization code was presented twice: the tokens issued from it were revoked',
    data: z.object({ clientId: z.string(), userId: z.uuid(), sessionId: z.uuid().nullable() }),
  },
});
