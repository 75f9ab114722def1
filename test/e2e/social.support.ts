import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';
import { onCleanup } from '../src';

/**
 * A browser's part of a redirect flow: a cookie jar and manual redirects, so a test sees (and can
 * tamper with) each hop — the start, the provider's authorize redirect, our callback.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly headers: Record<string, string> = {}) {}

  async get(url: string, extra: Record<string, string> = {}): Promise<{ status: number; location: string | null; body: string }> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: { ...this.headers, ...extra, ...(cookie ? { cookie } : {}) } });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(set) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
}

/** An OpenID Connect provider on loopback (oauth2-mock-server), standing in for Google, Microsoft, Okta … */
export async function startProvider(): Promise<{ server: OAuth2Server; url: string; claims: Record<string, unknown>; strictPkce: () => void }> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  // The issuer names the address it listens on (the mock says `localhost`, which may resolve to ::1).
  server.issuer.url = `http://127.0.0.1:${server.address().port}`;
  onCleanup(() => server.stop());
  const claims: Record<string, unknown> = {};
  // Every token the next flow gets carries these claims (sub, email, email_verified, iss, aud, nonce …).
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => Object.assign(token.payload, claims));
  // Like a real provider: a code issued with a PKCE challenge needs its verifier.
  const strictPkce = () =>
    server.service.on('beforeResponse', (response: { statusCode: number; body: unknown }, req: { body?: Record<string, string> }) => {
      if (req.body?.grant_type === 'authorization_code' && !req.body.code_verifier) {
        response.statusCode = 400;
        response.body = { error: 'invalid_grant', error_description: 'code_verifier required' };
      }
    });
  return { server, url: server.issuer.url!, claims, strictPkce };
}

/**
 * Microsoft's multi-tenant endpoint on the double: `{provider}/common/v2.0` publishes a discovery
 * document whose issuer is the template `{provider}/{tenantid}/v2.0` (as
 * login.microsoftonline.com/common/v2.0 does); tokens then carry `tid` and the matching `iss`.
 */
export function serveIssuerTemplate(provider: { server: OAuth2Server; url: string }, segment = 'common'): string {
  provider.server.service.addRoute('GET', `/${segment}/v2.0/.well-known/openid-configuration`, (_req, res) => {
    const body = {
      issuer: `${provider.url}/{tenantid}/v2.0`,
      authorization_endpoint: `${provider.url}/authorize`,
      token_endpoint: `${provider.url}/token`,
      jwks_uri: `${provider.url}/jwks`,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return `${provider.url}/${segment}/v2.0`;
}

/** GitHub's REST API (the two calls sign-in makes), on loopback: /user and /user/emails. */
export async function startGitHubApi(): Promise<{ url: string; user: { id: number; login: string; name: string | null }; emails: { email: string; primary: boolean; verified: boolean }[] }> {
  const state = { user: { id: 1, login: 'octocat', name: 'The Octocat' as string | null }, emails: [] as { email: string; primary: boolean; verified: boolean }[] };
  const server: Server = createServer((req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401).end();
      return;
    }
    const body = req.url === '/user' ? state.user : req.url === '/user/emails' ? state.emails : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { message: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, { url: `http://127.0.0.1:${port}` });
}

/**
 * Runs a browser through start → provider → callback. Returns where the callback sent it, and
 * the callback URL (to replay it elsewhere).
 */
export async function socialFlow(browser: Browser, apiUrl: string, tenant: string, connection: string, options: { returnTo?: string; intent?: 'link'; stopBeforeCallback?: boolean } = {}) {
  const query = new URLSearchParams({ ...(options.returnTo !== undefined ? { return_to: options.returnTo } : {}), ...(options.intent ? { intent: options.intent } : {}) });
  const start = await browser.get(`${apiUrl}/t/${tenant}/social/${connection}/start?${query}`, options.intent ? { 'sec-fetch-site': 'same-origin' } : {});
  if (start.status !== 303 || !start.location) throw new Error(`start: ${start.status} ${start.body}`);
  const authorize = await browser.get(start.location);
  if (authorize.status !== 302 || !authorize.location) throw new Error(`authorize: ${authorize.status} ${authorize.body}`);
  const callbackUrl = authorize.location;
  if (options.stopBeforeCallback) return { callbackUrl, authorizeUrl: start.location, landed: null };
  const callback = await browser.get(callbackUrl);
  return { callbackUrl, authorizeUrl: start.location, landed: callback.location, status: callback.status };
}
