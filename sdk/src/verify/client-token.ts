/**
 * An access token for a machine client (OAuth client_credentials, client_secret_basic) of one
 * tenant, cached until shortly before it expires and fetched single-flight — what the edge uses
 * to download policy bundles and to follow the revocation feed. WebCrypto/fetch only.
 */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export type AccessTokenSource = (options?: { renew?: boolean }) => Promise<string>;

export function clientCredentialsToken(options: { publicUrl: string; tenant: string; fetch?: typeof fetch; now?: () => number } & ClientCredentials): AccessTokenSource {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const url = `${options.publicUrl.replace(/\/+$/, '')}/t/${options.tenant}/oauth/token`;
  const basic = `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;
  let current: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function obtain(): Promise<string> {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) throw new Error(`client_credentials grant failed: ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in?: number };
    // Renewed a little before expiry (a third of its life, at most 60 s early) so it never lapses in flight.
    const lifeMs = (body.expires_in ?? 300) * 1000;
    current = { token: body.access_token, renewAt: now() + lifeMs - Math.min(60_000, lifeMs / 3) };
    return body.access_token;
  }

  return (renewOptions) => {
    if (current && !renewOptions?.renew && now() < current.renewAt) return Promise.resolve(current.token);
    return (inFlight ??= obtain().finally(() => {
      inFlight = null;
    }));
  };
}
