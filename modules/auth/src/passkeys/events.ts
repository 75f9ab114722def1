import { z } from 'zod';
import { defineEvents } from '@plinto/kernel';

const ref = { passkeyId: z.uuid(), name: z.string() };
const purpose = z.enum(['sign_in', 'second_factor', 'registration']);

/** Every registration, use and removal of a passkey, and every refused ceremony. */
export const PasskeyEvents = defineEvents('auth', {
  'passkey.registered': {
    description: 'A user registered a passkey',
    data: z.object({ ...ref, aaguid: z.string(), authenticator: z.string().nullable(), backedUp: z.boolean(), deviceType: z.string(), userVerified: z.boolean() }),
  },
  'passkey.used': {
    description: 'A passkey signed a sign-in (first factor) or completed an MFA challenge (second factor)',
    data: z.object({ ...ref, purpose, userVerified: z.boolean(), counter: z.number() }),
  },
  'passkey.renamed': { description: 'A passkey was renamed', data: z.object(ref) },
  'passkey.removed': { description: 'A passkey was removed by its user or an admin', data: z.object({ ...ref, by: z.enum(['user', 'admin']) }) },
  'passkey.rejected': {
    description: 'A passkey ceremony was refused (wrong origin or RP ID, replayed or foreign challenge, missing user verification, unknown credential, bad signature)',
    data: z.object({ purpose, reason: z.string(), passkeyId: z.uuid().nullable() }),
  },
  'passkey.counter_regressed': {
    description: 'A correctly signed assertion carried a signature counter not above the stored one (a possibly cloned authenticator): refused',
    data: z.object({ ...ref, storedCounter: z.number(), presentedCounter: z.number() }),
  },
});
