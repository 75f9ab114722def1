import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const connection = { connectionId: z.uuid(), slug: z.string(), provider: z.string() };

/** Connections, linked identities and refused external sign-ins. */
export const SocialEvents = defineEvents('auth', {
  'connection.created': { description: 'A sign-in connection to an identity provider was added (its secret is never recorded)', data: z.object(connection) },
  'connection.updated': { description: 'A sign-in connection was changed', data: z.object({ ...connection, changed: z.array(z.string()) }) },
  'connection.deleted': { description: 'A sign-in connection was removed with its linked identities', data: z.object(connection) },
  'identity.linked': {
    description: 'An external identity was linked to a user (by the signed-in user, at sign-up, or because the provider vouched for the email)',
    data: z.object({ ...connection, identityId: z.uuid(), how: z.enum(['account_page', 'sign_up', 'verified_email']) }),
  },
  'identity.unlinked': { description: 'An external identity was unlinked from a user', data: z.object({ ...connection, identityId: z.uuid() }) },
  'social.sign_in_refused': {
    description: 'A sign-in through an identity provider was refused (state, PKCE, nonce, ID token, unverified email for an existing account …)',
    data: z.object({ connectionId: z.uuid().nullable(), reason: z.string(), linking: z.boolean().optional().describe('The attempt was linking a signed-in account') }),
  },
});
