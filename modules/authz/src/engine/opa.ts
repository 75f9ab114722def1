/**
 * Delegation to an external Open Policy Agent through its REST data API:
 * `POST <url>/v1/data/<packagePath>` with `{ input }`, answered with `{ result }` where result is
 * a boolean or `{ allow: boolean, ... }`. Anything else — an error status, a timeout, no result,
 * a malformed body — is a deny (fail closed).
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

export async function queryOpa(opa: OpaSettings, input: Record<string, unknown>, timeoutMs: number): Promise<OpaDecision> {
  const url = `${opa.url.replace(/\/+$/, '')}/v1/data/${opa.packagePath}`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
      signal: AbortSignal.timeout(Math.min(timeoutMs, opa.timeoutMs ?? timeoutMs)),
      redirect: 'error',
    });
    if (!response.ok) return { allow: false, reason: `OPA answered ${response.status}: denied (fail closed)` };
    const body = (await response.json()) as { result?: unknown };
    const result = body?.result;
    if (typeof result === 'boolean') return { allow: result, reason: `OPA ${opa.packagePath} = ${result}` };
    if (result && typeof result === 'object' && typeof (result as { allow?: unknown }).allow === 'boolean') {
      const allow = (result as { allow: boolean }).allow;
      return { allow, reason: `OPA ${opa.packagePath}.allow = ${allow}` };
    }
    return { allow: false, reason: 'OPA returned no decision: denied (fail closed)' };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
    return { allow: false, reason: timedOut ? 'OPA timed out: denied (fail closed)' : 'OPA unreachable: denied (fail closed)' };
  }
}
