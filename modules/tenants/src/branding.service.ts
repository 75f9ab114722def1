import type { ServiceContext } from '@plinto/kernel';
import { brandingOf, type PublicBranding } from './branding';

/** Anyone: the addressed tenant's branding (what its hosted pages show; adopters' own pages may use it). */
export async function publicBranding(sc: ServiceContext): Promise<PublicBranding> {
  return brandingOf(sc.tenant);
}
