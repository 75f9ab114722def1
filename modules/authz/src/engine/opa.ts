import { sendOutbound, type Resolver } from '@plinto/kernel';

/**
 * Delegation to an external Open Policy Agent through its REST data API:
 * `POST <url>/v1/data/<packagePath>` with `{ input }`, answered with `{ result }` where result is
 * a boolean or `{ allow: boolean, ... }`. Anything else — an error status, a timeout, no result,
 * a malformed body, a destination that is not public and not allowlisted — is a deny (fail closed).
 * The request goes through the kernel's guarded sender, so a tenant-supplied URL cannot reach
 * private, loopback, link-local or metadata addresses (SSRF).
 */
export interface OpaSettings {
  url: string;
  packagePath: string;
  timeoutMs?: number;
}

export interface OpaDecision {
  allow: boolean;
  reason: string;
}

/** OPA decision documents are small; anything longer is not one. */
const OPA_BODY_LIMIT = 64 * 1024;

export async function queryOpa(
  opa: OpaSettings,
  input: Record<string, unknown>,
  timeoutMs: number,
  allowedHosts: string[],
  resolver?: Resolver,
): Promise<OpaDecision> {
  const sent = await sendOutbound({
    url: `${opa.url.replace(/\/+$/, '')}/v1/data/${opa.packagePath}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ input }),
    timeoutMs: Math.min(timeoutMs, opa.timeoutMs ?? timeoutMs),
    allowedHosts,
    resolver,
    bodyLimit: OPA_BODY_LIMIT,
  });
  if (sent.errorKind === 'refused') return { allow: false, reason: `OPA destination refused (${sent.error}): denied (fail closed)` };
  if (sent.errorKind === 'timeout') return { allow: false, reason: 'OPA timed out: denied (fail closed)' };
  if (sent.errorKind) return { allow: false, reason: 'OPA unreachable: denied (fail closed)' };
  if (!sent.ok) return { allow: false, reason: `OPA answered ${sent.status}: denied (fail closed)` };
  let result: unknown;
  try {
    result = (JSON.parse(sent.body ?? '') as { result?: unknown })?.result;
  } catch {
    return { allow: false, reason: 'OPA returned no decision: denied (fail closed)' };
  }
  if (typeof result === 'boolean') return { allow: result, reason: `OPA ${opa.packagePath} = ${result}` };
  if (result && typeof result === 'object' && typeof (result as { allow?: unknown }).allow === 'boolean') {
    const allow = (result as { allow: boolean }).allow;
    return { allow, reason: `OPA ${opa.packagePath}.allow = ${allow}` };
  }
  return { allow: false, reason: 'OPA returned no decision: denied (fail closed)' };
}
