import { decodeCursor, toPage, type InferEntity, type ServiceContext } from '@plinto/kernel';
import { AuthzDecision } from './entities/authz.entities';
import type { DecisionLogEntry } from './schemas';

type DecisionRow = InferEntity<typeof AuthzDecision>;

const toDto = (row: DecisionRow): DecisionLogEntry => ({
  id: row.id,
  subject: row.subject,
  action: row.action,
  resource: row.resource,
  organizationId: row.organizationId ?? null,
  allow: row.allow,
  source: row.source ?? null,
  decidedBy: row.decidedBy,
  reason: row.reason,
  policyVersion: Number(row.policyVersion),
  input: row.input,
  occurredAt: row.occurredAt.toISOString(),
});

/** The sampled decision log of a tenant, newest first; needs decisions:read. */
export async function listDecisions(sc: ServiceContext, query: { limit: number; cursor?: string; subject?: string; allow?: boolean }) {
  await sc.authz.require('decisions:read');
  const tenantId = sc.tenant.id;
  const after = decodeCursor(query.cursor);
  const rows = await sc.em.find(
    AuthzDecision,
    {
      tenantId,
      ...(after ? { id: { $lt: after } } : {}),
      ...(query.subject ? { subject: query.subject } : {}),
      ...(query.allow !== undefined ? { allow: query.allow } : {}),
    },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  return toPage(rows, query.limit, toDto);
}
