import { checkUrlShape, DestinationRefused, recordEvent, type ServiceContext } from '@plinto/kernel';
import { AuthzErrors } from './errors';
import { actorOf, callerOf, commitChange } from './changes';
import { engineOf } from './engine/engine';
import type { AuthzSettings } from './schemas';
import { AuthzEvents } from './events';

/** Needs policies:read. */
export async function getSettings(sc: ServiceContext): Promise<{ settings: AuthzSettings; policyVersion: number }> {
  await sc.authz.require('policies:read');
  const snapshot = await engineOf(sc).snapshot(sc.tenant.id);
  return { settings: snapshot.settings, policyVersion: snapshot.version };
}

/** Needs policies:configure. Merges the settings; part of the policy version, since OPA delegation changes every decision. */
export async function updateSettings(sc: ServiceContext, patch: AuthzSettings) {
  await sc.authz.require('policies:configure');
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  // Refuse an OPA URL that is plainly internal when it is saved; the sender checks again (after DNS) on every call.
  if (patch.opa?.url) {
    try {
      checkUrlShape(patch.opa.url, engine.settings.POLICY_OPA_ALLOWED_HOSTS);
    } catch (error) {
      if (error instanceof DestinationRefused) throw AuthzErrors.OPA_URL_NOT_ALLOWED({ fields: [{ path: 'opa.url', message: error.message }] });
      throw error;
    }
  }
  return commitChange(sc.em, engine, tenantId, async ({ tx, version, delta }) => {
    // Settings are not lines: every process re-reads the tenant (rare, and OPA changes everything).
    delta.ops.push({ op: 'reset' });
    const [row] = (await tx.execute('select settings from authz_tenant_state where tenant_id = ?', [tenantId])) as { settings: AuthzSettings }[];
    const before = row?.settings ?? {};
    const after: AuthzSettings = { ...before, ...patch };
    if (after.opa === null) delete after.opa;
    await tx.execute('update authz_tenant_state set settings = ? where tenant_id = ?', [JSON.stringify(after), tenantId]);
    recordEvent(tx, actorOf(caller), AuthzEvents.of('authz.settings_updated', {
      tenantId,
      target: { type: 'tenant', id: tenantId },
      data: { before, after, policyVersion: version },
    }));
    return { settings: after, policyVersion: version };
  });
}
