import type { EntityManager } from '@plinto/kernel';
import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { isUuid } from '@plinto/kernel';
import { MikroOrmCasbinAdapter } from './adapter';
import { AuthzRole } from './entities/authz.entities';
import type { AuthzEngine } from './engine/engine';
import type { PolicyDelta } from './changes';

/**
 * Grouping links that another module keeps in step with rows of its own, inside an organization's
 * domain: memberships (`user:<id>` → `role:<name>`), team memberships (`user:<id>` → `team:<id>`),
 * team roles (`team:<id>` → `role:<name>`) and sub-teams (`team:<child>` → `team:<parent>`, so a
 * sub-team's members hold what its parent holds). Roles given to a team thereby reach the members
 * of all its sub-teams through the engine's own role resolution.
 *
 * Unlike `commitChange`, these are written in the *caller's* transaction, so a membership row and
 * its link commit or roll back together (an invitation accept that fails leaves no role behind).
 * The tenant's policy version is bumped once per transaction; the delta is applied in this process
 * and published to the others only after that transaction commits, never on rollback.
 */
export interface DomainLink {
  child: string;
  parent: string;
  /** The organization (domain) the link holds in; never tenant-wide. */
  organizationId: string;
}

export interface LinkChange {
  add?: DomainLink[];
  remove?: DomainLink[];
  /** Organizations whose every link is removed (the organization was deleted). */
  removeDomains?: string[];
}

const CHILD = /^(user|team|api_key|client):[A-Za-z0-9_.@:-]{1,128}$/;
const PARENT = /^(role|team):[A-Za-z0-9_.@:-]{1,128}$/;

interface Pending {
  tenantId: string;
  version: number;
  delta: PolicyDelta;
}

/** Staged changes per open root transaction (the knex transaction object). */
const pendingByTransaction = new WeakMap<object, Pending>();

function assertLink(link: DomainLink): void {
  // A link in `*` would hold in every organization and tenant-wide: that is not ours to write.
  if (!isUuid(link.organizationId)) throw new Error(`domain link outside an organization: ${JSON.stringify(link)}`);
  if (!CHILD.test(link.child) || !PARENT.test(link.parent)) throw new Error(`malformed domain link: ${JSON.stringify(link)}`);
}

/** The transaction `em` runs in, which must be the outermost one (its commit is what we wait for). */
function rootTransaction(em: EntityManager): object {
  const trx = em.getTransactionContext<object & { parentTransaction?: unknown }>();
  if (!trx) throw new Error('stageLinks must run inside the transaction that writes the rows the links mirror');
  if (trx.parentTransaction) throw new Error('stageLinks must run in the outermost transaction, not in a nested one (savepoint)');
  return trx;
}

export async function stageLinks(em: EntityManager, engine: AuthzEngine, tenantId: string, change: LinkChange): Promise<void> {
  const links = [...(change.add ?? []), ...(change.remove ?? [])];
  links.forEach(assertLink);
  if (links.length === 0 && !change.removeDomains?.length) return;
  for (const domain of change.removeDomains ?? []) if (!isUuid(domain)) throw new Error(`not an organization: ${domain}`);
  const trx = rootTransaction(em);
  let pending = pendingByTransaction.get(trx);
  if (pending && pending.tenantId !== tenantId) throw new Error('one transaction stages links of one tenant only');
  if (!pending) {
    // Seeds the default roles first, on its own connection, before this transaction locks the version row.
    await engine.snapshot(tenantId);
    const [row] = (await em.execute('update authz_tenant_state set version = version + 1, updated_at = now() where tenant_id = ? returning version', [tenantId])) as {
      version: string;
    }[];
    if (!row) throw new Error(`no authorization state for tenant ${tenantId}`);
    const staged: Pending = { tenantId, version: Number(row.version), delta: { ops: [], conditions: {} } };
    pending = staged;
    pendingByTransaction.set(trx, staged);
    const subscriber: EventSubscriber = {
      // Dispatched by MikroORM after the outermost COMMIT succeeded (never for savepoints or a rollback).
      async afterTransactionCommit(args: TransactionEventArgs) {
        if (args.transaction !== trx) return;
        try {
          await engine.changed(tenantId, staged.version, staged.delta);
        } catch {
          engine.invalidate(tenantId, staged.version);
        }
      },
    };
    em.getContext(false).getEventManager().registerSubscriber(subscriber);
  }
  const adapter = new MikroOrmCasbinAdapter(em, tenantId, pending.delta.ops);
  for (const link of change.remove ?? []) await adapter.removeFilteredPolicy('g', 'g', 0, link.child, link.parent, link.organizationId);
  for (const domain of change.removeDomains ?? []) await adapter.removeFilteredPolicy('g', 'g', 2, domain);
  if (change.add?.length) await adapter.addPolicies('g', 'g', change.add.map((l) => [l.child, l.parent, l.organizationId]));
}

/** A role visible in an organization (tenant-wide, or the organization's own), by name; null when none. */
export async function findRoleInScope(em: EntityManager, engine: AuthzEngine, tenantId: string, organizationId: string, name: string): Promise<{ id: string; name: string; organizationId: string | null } | null> {
  // Seeds the default roles on first use — unless this transaction already staged links (and so
  // seeded first): seeding may wait for the version row this transaction now holds.
  const trx = em.getTransactionContext<object>();
  if (!trx || !pendingByTransaction.has(trx)) await engine.snapshot(tenantId);
  const rows = await em.find(AuthzRole, { tenantId, name, $or: [{ organizationId: null }, { organizationId }] }, { limit: 1 });
  const row = rows[0];
  return row ? { id: row.id, name: row.name, organizationId: row.organizationId ?? null } : null;
}
