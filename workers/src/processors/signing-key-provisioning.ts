import { ensureCurrentKey } from '@plinto/auth';
import type { Config, MikroORM } from '@plinto/kernel';
import type { DomainEventHandler } from './domain-events';

/**
 * Gives a new tenant its first signing key as soon as its creation commits (`tenant.created`), so
 * its JWKS is populated before its first token. Idempotent: a tenant that already has a key (the
 * first sign-in raced ahead, or the event is redelivered) keeps it.
 */
export function signingKeyProvisioningHandler(deps: { orm: MikroORM; config: Config }): DomainEventHandler {
  return async (event) => {
    if (event.action !== 'tenant.created' || !event.tenantId) return;
    await ensureCurrentKey(deps.orm.em.fork(), deps.config, event.tenantId);
  };
}
