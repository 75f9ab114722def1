import { EMAIL_QUEUE, type Config, type EmailMessage, type EntityManager, type SideEffect } from '@plinto/kernel';
import { getTenant, type TenantSettings } from '@plinto/tenants';

export async function tenantSettings(em: EntityManager, tenantId: string): Promise<TenantSettings> {
  return (await getTenant(em, tenantId)).settings;
}

/**
 * An emailed link: the tenant's configured app URL (else PUBLIC_URL) + `path` + `?token=`. Never
 * derived from the request's Host or X-Forwarded-* headers, which an attacker controls: a poisoned
 * header must not make us mail a victim a link to the attacker's site carrying the victim's token.
 */
export function buildLink(config: Config, settings: TenantSettings, path: string, token: string): string {
  const base = (settings.appUrl ?? config.PUBLIC_URL).replace(/\/+$/, '');
  const url = new URL(`${base}${path}`);
  url.searchParams.set('token', token);
  return url.toString();
}

export const emailEffect = (message: EmailMessage): SideEffect => ({
  queue: EMAIL_QUEUE,
  jobName: message.template,
  payload: { ...message },
});
