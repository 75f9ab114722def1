import { eventCtes, eventRows, fastQuery, type Actor, type DomainEvent, type EntityManager } from '@plinto/kernel';
import { userOfSqlRow, type UserSqlRow } from '../services/users.service';

/**
 * The statements of a passkey assertion, in plain SQL on the hot path (every passkey sign-in):
 * one read for the credential and its owner, one write for the counter and the use's audit and
 * event rows. No unit of work, no identity map, prepared once per connection.
 */
export interface StoredPasskey {
  id: string;
  userId: string;
  name: string;
  credentialId: string;
  publicKey: string;
  transports: string[];
}

type Row = UserSqlRow & { passkey_id: string; passkey_name: string; credential_id: string; public_key: string; transports: string[] };

/** The tenant's credential with this id and the user it belongs to (both, or null). */
export async function readCredential(em: EntityManager, tenantId: string, credentialId: string) {
  const [r] = await fastQuery<Row>(
    em,
    `select u.*, p.id as passkey_id, p.name as passkey_name, p.credential_id, p.public_key, p.transports
       from passkeys p join users u on u.id = p.user_id
      where p.tenant_id = ? and p.credential_id = ? and u.tenant_id = p.tenant_id`,
    [tenantId, credentialId],
    'plinto_passkey_credential',
  );
  if (!r) return null;
  const passkey: StoredPasskey = { id: r.passkey_id, userId: r.id, name: r.passkey_name, credentialId: r.credential_id, publicKey: r.public_key, transports: r.transports };
  return { passkey, user: userOfSqlRow(r) };
}

/**
 * WebAuthn §7.2 step 21 and the use's record, as one statement (atomic by itself): the counter
 * moves forward only when the presented one is greater (or both are 0: an authenticator that
 * keeps none), and the `passkey.used` audit and outbox rows are written only when it moved. Two
 * concurrent uses of one counter value: one wins. Otherwise the stored counter comes back, for
 * the regression's audit.
 */
export async function advanceCounter(
  em: EntityManager,
  passkeyId: string,
  update: { counter: number; backedUp: boolean },
  use: { actor: Actor; event: DomainEvent },
): Promise<{ advanced: true } | { advanced: false; storedCounter: number }> {
  const event = eventCtes(eventRows(use.actor, use.event), 'used', 'exists (select 1 from advanced)');
  const [row] = await fastQuery<{ advanced: boolean; stored: string | null }>(
    em,
    `with advanced as (
        update passkeys set counter = ?, backed_up = ?, last_used_at = now()
         where id = ? and (counter < ? or (counter = 0 and ? = 0)) returning id),
      ${event.ctes.join(',\n      ')}
     select exists (select 1 from advanced) as advanced, (select counter from passkeys where id = ?) as stored`,
    [update.counter, update.backedUp, passkeyId, update.counter, update.counter, ...event.params, passkeyId],
    'plinto_passkey_advance',
  );
  return row?.advanced ? { advanced: true } : { advanced: false, storedCounter: Number(row?.stored ?? 0) };
}
