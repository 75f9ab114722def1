import { recordEvent, type EntityManager } from '@plinto/kernel';
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
