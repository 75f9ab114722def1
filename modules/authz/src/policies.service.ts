import { CommonErrors, ORGANIZATION_DIRECTORY, decodeCursor, isUuid, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { AuthzPolicy } from './entities/authz.entities';
import { AuthzErrors } from './errors';
import { actorOf, assertCanGrant, callerOf, commitChange } from './changes';
import { policyLines } from './engine/lines';
import { policySource } from './engine/model';
import { engineOf } from './engine/engine';
import { MAX_LINES_PER_POLICY, type CreatePolicyInput, type PolicyDto, type UpdatePolicyInput } from './schemas';
import { AuthzEvents } from './events';

type PolicyRow = InferEntity<typeof AuthzPolicy>;

export function toPolicyDto(row: PolicyRow): PolicyDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    effect: row.effect,
    priority: row.priority,
    subjects: row.subjects,
    actions: row.actions,
    resources: row.resources,
    organizationId: row.organizationId ?? null,
    conditions: row.conditions ?? null,
    revision: row.revision,
    policyVersion: Number(row.policyVersion),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const grantsOf = (p: { actions: string[]; resources: string[] }) => p.actions.flatMap((action) => p.resources.map((resource) => ({ action, resource })));

async function loadPolicy(em: EntityManager, tenantId: string, id: string): Promise<PolicyRow> {
  const row = isUuid(id) ? await em.findOne(AuthzPolicy, { id, tenantId }) : null;
  if (!row) throw AuthzErrors.POLICY_NOT_FOUND();
  return row;
}

/** Needs policies:write (in the policy's organization, for an organization's policy) and every permission it grants or denies. */
export async function createPolicy(sc: ServiceContext, input: CreatePolicyInput): Promise<PolicyDto> {
  await sc.authz.require('policies:write', { organizationId: input.organizationId });
  await assertOrganizationInTenant(sc, input.organizationId);
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  await assertCanGrant(engine, caller, grantsOf(input), input.organizationId, 'actions');
  return commitChange(sc.em, engine, tenantId, async ({ tx, version, adapter, delta }) => {
    const now = new Date();
    const row = tx.create(AuthzPolicy, {
      id: uuidv7(now.getTime()),
      tenantId,
      name: input.name,
      description: input.description ?? null,
      effect: input.effect,
      priority: input.priority,
      subjects: input.subjects,
      actions: input.actions,
      resources: input.resources,
      organizationId: input.organizationId ?? null,
      conditions: input.conditions ?? null,
      revision: 1,
      policyVersion: version,
      createdAt: now,
      updatedAt: now,
    });
    delta.conditions[policySource(row.id)] = row.conditions ?? null;
    await adapter.addPolicies('p', 'p', policyLines(row));
    recordEvent(tx, actorOf(caller), AuthzEvents.of('policy.created', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { policy: toPolicyDto(row), policyVersion: version },
    }));
    return toPolicyDto(row);
  });
}

/** Needs policies:read tenant-wide, or in the organization whose policies are asked for. */
export async function listPolicies(sc: ServiceContext, query: { limit: number; cursor?: string; organizationId?: string; subject?: string }) {
  await sc.authz.require('policies:read', { organizationId: query.organizationId });
  const tenantId = sc.tenant.id;
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(
    AuthzPolicy,
    {
      tenantId,
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.organizationId ? { organizationId: query.organizationId } : {}),
      ...(query.subject ? { subjects: { $contains: [query.subject] } } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toPolicyDto);
}

/** The policy (404 when missing or another tenant's), once the caller holds `permission` in its scope. */
async function loadPolicyFor(sc: ServiceContext, id: string, permission: string): Promise<PolicyRow> {
  const row = await loadPolicy(sc.em, sc.tenant.id, id);
  await sc.authz.require(permission, { organizationId: row.organizationId });
  return row;
}

/** Needs policies:read in the policy's scope (tenant-wide, or its organization). */
export async function getPolicy(sc: ServiceContext, id: string): Promise<PolicyDto> {
  return toPolicyDto(await loadPolicyFor(sc, id, 'policies:read'));
}

export async function updatePolicy(sc: ServiceContext, input: UpdatePolicyInput): Promise<PolicyDto> {
  const current = await loadPolicyFor(sc, input.id, 'policies:write');
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  const em = sc.em;
  const next = {
    name: input.name ?? current.name,
    description: input.description !== undefined ? input.description : current.description,
    effect: input.effect ?? current.effect,
    priority: input.priority ?? current.priority,
    subjects: input.subjects ?? current.subjects,
    actions: input.actions ?? current.actions,
    resources: input.resources ?? current.resources,
    organizationId: input.organizationId !== undefined ? input.organizationId : current.organizationId,
    conditions: input.conditions !== undefined ? input.conditions : current.conditions,
  };
  if (next.subjects.length * next.actions.length * next.resources.length > MAX_LINES_PER_POLICY) {
    throw CommonErrors.VALIDATION_FAILED({ fields: [{ path: 'resources', message: `subjects × actions × resources must stay within ${MAX_LINES_PER_POLICY}` }] });
  }
  if (next.organizationId !== current.organizationId) {
    await sc.authz.require('policies:write', { organizationId: next.organizationId });
    await assertOrganizationInTenant(sc, next.organizationId);
  }
  // What the policy granted or withheld changes hands, and so does its new scope.
  await assertCanGrant(engine, caller, grantsOf(current), current.organizationId, 'id');
  await assertCanGrant(engine, caller, grantsOf(next), next.organizationId, 'actions');
  return commitChange(em, engine, tenantId, async ({ tx, version, adapter, delta }) => {
    const row = await loadPolicy(tx, tenantId, input.id);
    const before = toPolicyDto(row);
    Object.assign(row, next, { revision: row.revision + 1, policyVersion: version, updatedAt: new Date() });
    delta.conditions[policySource(row.id)] = row.conditions ?? null;
    await adapter.removeFilteredPolicy('p', 'p', 6, policySource(row.id));
    await adapter.addPolicies('p', 'p', policyLines(row));
    const after = toPolicyDto(row);
    recordEvent(tx, actorOf(caller), AuthzEvents.of('policy.updated', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { before, after, policyVersion: version },
    }));
    return after;
  });
}

export async function deletePolicy(sc: ServiceContext, id: string): Promise<{ id: string; deleted: true; policyVersion: number }> {
  const current = await loadPolicyFor(sc, id, 'policies:write');
  const engine = engineOf(sc);
  const caller = callerOf(sc);
  const tenantId = caller.tenant.id;
  await assertCanGrant(engine, caller, grantsOf(current), current.organizationId, 'id');
  return commitChange(sc.em, engine, tenantId, async ({ tx, version, adapter }) => {
    const row = await loadPolicy(tx, tenantId, id);
    await adapter.removeFilteredPolicy('p', 'p', 6, policySource(row.id));
    recordEvent(tx, actorOf(caller), AuthzEvents.of('policy.deleted', {
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { policy: toPolicyDto(row), policyVersion: version },
    }));
    tx.remove(row);
    return { id: row.id, deleted: true as const, policyVersion: version };
  });
}

/** A policy scoped to an organization names one of the caller's tenant (never another tenant's id). */
async function assertOrganizationInTenant(sc: ServiceContext, organizationId: string | null | undefined): Promise<void> {
  if (!organizationId || !sc.services.has(ORGANIZATION_DIRECTORY)) return;
  if (!(await sc.services.get(ORGANIZATION_DIRECTORY).exists(sc.em, sc.tenant.id, organizationId))) {
    throw AuthzErrors.ORGANIZATION_NOT_FOUND({ fields: [{ path: 'organizationId', message: 'No such organization in this tenant' }] });
  }
}
