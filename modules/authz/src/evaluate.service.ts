import type { ServiceContext, TenantRef } from '@plinto/kernel';
import { engineOf, type AuthzEngine } from './engine/engine';
import { isPlintoAction } from './catalog';
import { contextOf } from '@plinto/sdk/policy';
import { TENANT_WIDE } from './engine/model';
import type { EvaluationOutput, EvaluationRequest } from './schemas';

/**
 * `POST /v1/policies/evaluate`: an OPA-shaped decision for any subject of the caller's tenant. Needs
 * policies:evaluate in the request's organization (organization owners evaluate within theirs), or
 * tenant-wide for a tenant-wide request.
 */
export async function evaluate(sc: ServiceContext, input: EvaluationRequest): Promise<EvaluationOutput> {
  await sc.authz.require('policies:evaluate', { organizationId: input.context?.organizationId });
  return decideOne(engineOf(sc), sc.tenant, input);
}

/** Many decisions in one call, answered in request order; policies:evaluate in each request's scope. */
export async function evaluateBatch(sc: ServiceContext, requests: EvaluationRequest[]): Promise<{ results: EvaluationOutput[] }> {
  for (const organizationId of new Set(requests.map((r) => r.context?.organizationId))) await sc.authz.require('policies:evaluate', { organizationId });
  const engine = engineOf(sc);
  const results = [];
  for (const request of requests) results.push(await decideOne(engine, sc.tenant, request));
  return { results };
}

async function decideOne(engine: AuthzEngine, tenant: TenantRef, input: EvaluationRequest): Promise<EvaluationOutput> {
  const request = { subject: input.subject, domain: input.context?.organizationId ?? TENANT_WIDE, action: input.action, resource: input.resource };
  const decision = await engine.decide(tenant.id, request, () => contextOf(input), {
    explain: input.explain,
    log: { via: 'evaluate', context: input.context ?? {} },
    // A tenant's OPA server decides its application's permissions; Plinto's own stay with the engine.
    delegate: !isPlintoAction(input.action, engine.catalog),
  });
  const source = decision.source;
  return {
    result: {
      allow: decision.allow,
      policyId: source?.startsWith('policy:') ? source.slice(7) : null,
      roleId: source?.startsWith('role:') ? source.slice(5) : null,
      reason: decision.reason,
    },
    policyVersion: decision.version,
    decidedBy: decision.decidedBy,
    ...(input.explain ? { explanation: { roles: decision.roles ?? [], rules: decision.trace ?? [] } } : {}),
  };
}
