import { defineEntity, p } from '@mikro-orm/core';

/**
 * A user's passkey (WebAuthn credential) in one tenant. The public key is stored as its COSE
 * bytes (base64url); the private key never leaves the authenticator. `counter` is the signature
 * counter the authenticator last reported (0 for authenticators that keep none, e.g. synced
 * passkeys): a later assertion must carry a higher one, else it is refused and audited.
 */
export const Passkey = defineEntity({
  name: 'Passkey',
  tableName: 'passkeys',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    /** The credential id (base64url), unique per tenant. */
    credentialId: p.string(),
    publicKey: p.text(),
    counter: p.bigint('number'),
    transports: p.json<string[]>(),
    /** The authenticator model (AAGUID); all zeros when the authenticator does not say. */
    aaguid: p.string(),
    name: p.string(),
    /** `singleDevice` or `multiDevice` (a synced passkey). */
    deviceType: p.string(),
    backedUp: p.boolean(),
    /** The relying-party id it was created for (the tenant's at that time). */
    rpId: p.string(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
  },
});
