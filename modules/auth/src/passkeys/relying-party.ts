import type { Config, TenantRef } from '@plinto/kernel';
import { authSettingsOf, linkSettingsOf } from '../services/tenant-settings';
import { hostMatchesRpId } from './settings';

export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
  userVerification: 'required' | 'preferred';
}

/**
 * The tenant's relying party: its settings, else PUBLIC_URL's host and the origins of PUBLIC_URL
 * and the tenant's app URL (those within the RP ID). Never derived from request headers.
 */
export function relyingPartyOf(config: Config, tenant: TenantRef): RelyingParty {
  const settings = authSettingsOf(tenant).passkeys ?? {};
  const rpId = settings.rpId ?? new URL(config.PUBLIC_URL).hostname;
  const appUrl = linkSettingsOf(tenant).appUrl;
  const defaults = [config.PUBLIC_URL, ...(appUrl ? [appUrl] : [])].map((u) => new URL(u)).filter((u) => hostMatchesRpId(u.hostname, rpId)).map((u) => u.origin);
  return {
    rpId,
    rpName: settings.rpName ?? tenant.name,
    // Compared with clientDataJSON.origin, which is scheme://host[:port] only.
    origins: settings.origins ? settings.origins.map((o) => new URL(o).origin) : [...new Set(defaults)],
    userVerification: settings.userVerification ?? 'required',
  };
}
