import { CommonErrors, decodeCursor, isUuid, recordEvent, toPage, uuidv7, type EntityManager, type InferEntity } from '@plinto/kernel';
import { AuthzPolicy } from './entities/authz.entities';
import { AuthzErrors } from './errors';
import { actorOf, assertCanGrant, commitChange, type AuthzCaller } from './changes';
import { policyLines } from './engine/lines';
import { policySource } from './engine/model';
import type { AuthzEngine } from './engine/engine';
import { MAX_LINES_PER_POLICY, type CreatePolicyInput, type PolicyDto, type UpdatePolicyInput } from './schemas';

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

export async function createPolicy(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, input: CreatePolicyInput): Promise<PolicyDto> {
  const tenantId = caller.tenant.id;
  if (input.effect === 'allow') await assertCanGrant(engine, caller, grantsOf(input), input.organizationId, 'actions');
  return commitChange(em, engine, tenantId, async ({ tx, version, adapter, delta }) => {
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
    recordEvent(tx, actorOf(caller), {
      action: 'policy.created',
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { policy: toPolicyDto(row), policyVersion: version },
    });
    return toPolicyDto(row);
  });
}

export async function listPolicies(em: EntityManager, tenantId: string, query: { limit: number; cursor?: string; organizationId?: string; subject?: string }) {
  const after = decodeCursor(query.cursor);
  const rows = await em.find(
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

export async function getPolicy(em: EntityManager, tenantId: string, id: string): Promise<PolicyDto> {
  return toPolicyDto(await loadPolicy(em, tenantId, id));
}

export async function updatePolicy(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, input: UpdatePolicyInput): Promise<PolicyDto> {
  const tenantId = caller.tenant.id;
  const current = await loadPolicy(em, tenantId, input.id);
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
  // Lifting a deny grants what it denied; changing an allow grants its new scope.
  if (current.effect === 'deny') await assertCanGrant(engine, caller, grantsOf(current), current.organizationId, 'effect');
  if (next.effect === 'allow') await assertCanGrant(engine, caller, grantsOf(next), next.organizationId, 'actions');
  return commitChange(em, engine, tenantId, async ({ tx, version, adapter, delta }) => {
    const row = await loadPolicy(tx, tenantId, input.id);
    const before = toPolicyDto(row);
    Object.assign(row, next, { revision: row.revision + 1, policyVersion: version, updatedAt: new Date() });
    delta.conditions[policySource(row.id)] = row.conditions ?? null;
    await adapter.removeFilteredPolicy('p', 'p', 6, policySource(row.id));
    await adapter.addPolicies('p', 'p', policyLines(row));
    const after = toPolicyDto(row);
    recordEvent(tx, actorOf(caller), {
      action: 'policy.updated',
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { before, after, policyVersion: version },
    });
    return after;
  });
}

export async function deletePolicy(em: EntityManager, engine: AuthzEngine, caller: AuthzCaller, id: string): Promise<{ id: string; deleted: true; policyVersion: number }> {
  const tenantId = caller.tenant.id;
  const current = await loadPolicy(em, tenantId, id);
  if (current.effect === 'deny') await assertCanGrant(engine, caller, grantsOf(current), current.organizationId, 'id');
  return commitChange(em, engine, tenantId, async ({ tx, version, adapter }) => {
    const row = await loadPolicy(tx, tenantId, id);
    await adapter.removeFilteredPolicy('p', 'p', 6, policySource(row.id));
    recordEvent(tx, actorOf(caller), {
      action: 'policy.deleted',
      tenantId,
      organizationId: row.organizationId,
      target: { type: 'policy', id: row.id },
      data: { policy: toPolicyDto(row), policyVersion: version },
    });
    tx.remove(row);
    return { id: row.id, deleted: true as const, policyVersion: version };
  });
}
