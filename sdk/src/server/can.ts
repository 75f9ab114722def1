export interface CanOptions {
  /** Plinto's base URL (PUBLIC_URL). */
  url: string;
  /** A credential allowed to evaluate policies (an API key with `policies:evaluate`, or a machine token). */
  apiKey: string | (() => Promise<string>);
  tenant?: string;
  /** How long a decision is reused, in ms. Default 5 000 (0 disables the cache). */
  ttlMs?: number;
  maxEntries?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface Decision {
  allow: boolean;
  reason: string;
  policyVersion: number;
}

export type Can = ((subject: string, action: string, resource: string) => Promise<boolean>) & {
  decide(subject: string, action: string, resource: string): Promise<Decision>;
  clear(): void;
};

/**
 * `can(subject, action, resource)` against Plinto's evaluate API (POST /v1/policies/evaluate), with
 * a short cache: identical questions within `ttlMs` are answered once, concurrent ones share one
 * request. A failed evaluation throws (never a silent allow).
 */
export function createCan(options: CanOptions): Can {
  const ttl = options.ttlMs ?? 5000;
  const max = options.maxEntries ?? 10_000;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const base = options.url.replace(/\/+$/, '');
  const cache = new Map<string, { decision: Decision; until: number }>();
  const inFlight = new Map<string, Promise<Decision>>();

  async function evaluate(subject: string, action: string, resource: string): Promise<Decision> {
    const key = typeof options.apiKey === 'string' ? options.apiKey : await options.apiKey();
    const response = await fetchImpl(`${base}/v1/policies/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(options.tenant ? { 'x-plinto-tenant': options.tenant } : {}) },
      body: JSON.stringify({ subject, action, resource }),
    });
    const body = (await response.json().catch(() => null)) as { result?: { allow: boolean; reason: string }; policyVersion?: number; error?: { code: string } } | null;
    if (!response.ok || !body?.result) throw new Error(`Policy evaluation failed: ${response.status} ${body?.error?.code ?? ''}`.trim());
    return { allow: body.result.allow === true, reason: body.result.reason, policyVersion: body.policyVersion ?? 0 };
  }

  async function decide(subject: string, action: string, resource: string): Promise<Decision> {
    const id = JSON.stringify([subject, action, resource]);
    const hit = cache.get(id);
    if (hit && hit.until > now()) return hit.decision;
    let pending = inFlight.get(id);
    if (!pending) {
      pending = evaluate(subject, action, resource).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    const decision = await pending;
    if (ttl > 0) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(id, { decision, until: now() + ttl });
    }
    return decision;
  }

  const can = (async (subject: string, action: string, resource: string) => (await decide(subject, action, resource)).allow) as Can;
  can.decide = decide;
  can.clear = () => cache.clear();
  return can;
}
