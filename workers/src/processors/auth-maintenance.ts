import { authConfig, ensureCurrentKey, pruneTokenState, retireExpiredKeys, rotateSigningKey, tenantsDueForRotation } from '@plinto/auth';
import { SYSTEM_ACTOR } from '@plinto/kernel';
import type { ScheduledTask } from './maintenance';

/**
 * Signing keys: every active tenant has a current key; one older than AUTH_SIGNING_KEY_ROTATION_DAYS
 * is rotated; rotated-out keys whose tokens have all expired leave the JWKS. Hourly, so a key is
 * retired within the hour after its last token expired.
 */
export const signingKeysTask: ScheduledTask = {
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
export const tokenStateTask: ScheduledTask = {
  name: 'auth.token-state',
  everyMs: 15 * 60 * 1000,
  run: ({ orm, config }) => pruneTokenState(orm.em.fork(), authConfig(config).AUTH_REFRESH_GRACE_SECONDS),
};
