import { checkUrlShape, DestinationRefused, recordEvent, type EntityManager } from '@plinto/kernel';
import { AuthzErrors } from './errors';
import { actorOf, commitChange, type AuthzCaller } from './changes';
import type { AuthzEngine } from './engine/engine';
import type { AuthzSettings } from './schemas';

export async function getSettings(engine: AuthzEngine, tenantId: string): Promise<{ settings: AuthzSettings; policyVersion: number }> {
  const snapshot = await engine.snapshot(tenantId);
  return { settings: snapshot.settings, policyVersion: snapshot.version };
}

/** Merges the settings; part of the policy version, since OPA delegation changes every decision. */
export async function updateSettings(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, patch: AuthzSettings) {
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
  return commitChange(em, engine, tenantId, async ({ tx, version, delta }) => {
    // Settings are not lines: every process re-reads the tenant (rare, and OPA changes everything).
    delta.ops.push({ op: 'reset' });
    const [row] = (await tx.execute('select settings from authz_tenant_state where tenant_id = ?', [tenantId])) as { settings: AuthzSettings }[];
    const before = row?.settings ?? {};
    const after: AuthzSettings = { ...before, ...patch };
    if (after.opa === null) delete after.opa;
    await tx.execute('update authz_tenant_state set settings = ? where tenant_id = ?', [JSON.stringify(after), tenantId]);
    recordEvent(tx, actorOf(caller), {
      action: 'authz.settings_updated',
      tenantId,
      target: { type: 'tenant', id: tenantId },
      data: { before, after, policyVersion: version },
    });
    return { settings: after, policyVersion: version };
  });
}
