import { mfaFromAmr, type DecisionContext } from './conditions.js';

/** A decision request as `POST /v1/policies/evaluate` takes it (and the edge evaluator too). */
export interface EvaluationInput {
  subject: string;
  action: string;
  resource: string;
  context?: {
    ip?: string;
    /** ISO 8601; default now. */
    time?: string;
    mfa?: boolean;
    amr?: string[];
    /** Decide within this organization (its rules, its role assignments, and tenant-wide ones). */
    organizationId?: string;
    subject?: Record<string, unknown>;
    resource?: Record<string, unknown>;
    [attribute: string]: unknown;
  };
}

/** What conditions are evaluated against, from a request's context (server and edge alike). */
export function contextOf(input: EvaluationInput): DecisionContext {
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
