import type { ServiceRegistry } from '@plinto/kernel';
import { signCompactJws } from './jws';
import { tokenServicesOf } from './services';

/**
 * Signs a document other than a token (a policy bundle) with the tenant's current signing key, so
 * that whoever trusts the tenant's JWKS can verify it. `typ` must name the document's kind: every
 * verifier checks it, so a signed document never passes for an access token, nor the reverse.
 */
export async function signTenantDocument(holder: { services: ServiceRegistry }, tenantId: string, typ: string, payload: Record<string, unknown>): Promise<{ jws: string; kid: string }> {
  if (typ === 'at+jwt' || typ === 'JWT') throw new Error('signTenantDocument does not sign tokens');
  const signer = await tokenServicesOf(holder).keyring.signer(tenantId);
  return { jws: signCompactJws({ alg: signer.alg, kid: signer.kid, typ }, payload, signer.key), kid: signer.kid };
}
