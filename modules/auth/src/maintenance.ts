import { SYSTEM_ACTOR, type DomainEventConsumer, type MaintenanceTask } from '@plinto/kernel';
import { authConfig } from './config';
import { ensureCurrentKey, retireExpiredKeys, rotateSigningKey, tenantsDueForRotation } from './tokens/signing-keys';
import { pruneTokenState } from './tokens/maintenance';

/**
 * Signing keys: every active tenant has a current key; one older than AUTH_SIGNING_KEY_ROTATION_DAYS
 * is rotated; rotated-out keys whose tokens have all expired leave the JWKS. Hourly, so a key is
 * retired within the hour after its last token expired.
 */
export const signingKeysTask: MaintenanceTask = {
  name: 'auth.signing-keys',
  everyMs: 60 * 60 * 1000,
  run: async ({ orm, config }) => {
    const em = orm.em.fork();
    let rotated = 0;
    let created = 0;
    for (const due of await tenantsDueForRotation(em, config)) {
      if (due.hasKey) {
        await rotateSigningKey(orm.em.fork(), config, due.tenantId, SYSTEM_ACTOR, 'scheduled');
        rotated++;
      } else {
        await ensureCurrentKey(orm.em.fork(), config, due.tenantId);
        created++;
      }
    }
    const retired = await retireExpiredKeys(orm.em.fork(), SYSTEM_ACTOR);
    return { created, rotated, retired };
  },
};

/** Expired revocations, spent refresh tokens and sealed successors past their grace window. */
export const tokenStateTask: MaintenanceTask = {
  name: 'auth.token-state',
  everyMs: 15 * 60 * 1000,
  run: ({ orm, config }) => pruneTokenState(orm.em.fork(), authConfig(config).AUTH_REFRESH_GRACE_SECONDS),
};

/**
 * Gives a new tenant its first signing key as soon as its creation commits (`tenant.created`), so
 * its JWKS is populated before its first token. Idempotent: a tenant that already has a key (the
 * first sign-in raced ahead, or the event is redelivered) keeps it.
 */
export const signingKeyProvisioning: DomainEventConsumer = {
  name: 'auth.signing-key-provisioning',
  accepts: (action) => action === 'tenant.created',
  concurrency: 4,
  async handle(event, { orm, config }) {
    if (!event.tenantId) return;
    await ensureCurrentKey(orm.em.fork(), config, event.tenantId);
  },
};
