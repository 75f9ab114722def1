import type { TenantRef } from '@plinto/kernel';
import type { AuthzEngine } from './engine/engine';
import { mfaFromAmr, type DecisionContext } from './engine/conditions';
import { TENANT_WIDE } from './engine/model';
import type { EvaluationOutput, EvaluationRequest } from './schemas';

function contextOf(input: EvaluationRequest): DecisionContext {
  const { ip, time, mfa, amr, organizationId: _org, subject, resource, ...extra } = input.context ?? {};
  return {
    ip: ip ?? null,
    time: time ? new Date(time) : new Date(),
    mfa: mfa === true || mfaFromAmr(amr),
    subject: input.subject,
    subjectAttributes: subject ?? {},
    resource: input.resource,
    resourceAttributes: resource ?? {},
    extra,
  };
}

/** `POST /v1/policies/evaluate`: an OPA-shaped decision for any subject of the caller's tenant. */
export async function evaluate(engine: AuthzEngine, tenant: TenantRef, input: EvaluationRequest): Promise<EvaluationOutput> {
  const request = { subject: input.subject, domain: input.context?.organizationId ?? TENANT_WIDE, action: input.action, resource: input.resource };
  const decision = await engine.decide(tenant.id, request, () => contextOf(input), {
    explain: input.explain,
    log: { via: 'evaluate', context: input.context ?? {} },
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
