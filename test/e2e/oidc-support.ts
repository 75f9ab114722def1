import { expect } from 'vitest';
import * as oidc from 'openid-client';
import { signedInUser, type SignedInUser, type TestApi } from '../src';

/**
 * The pieces of an OpenID Connect test: a browser stand-in (fetch with a cookie jar that follows
 * Plinto's own redirects and stops at the relying party's), the hosted sign-in step over the pages'
 * session endpoint, and relying parties configured by openid-client from discovery only.
 */
export const insecure = { execute: [oidc.allowInsecureRequests] };

export class CookieBrowser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly origin: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (url.startsWith(this.origin) && this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attributes.some((a) => /max-age=0\b/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Navigates, following redirects inside Plinto; returns the last response (a redirect elsewhere, or a page/error). */
  async navigate(url: string): Promise<{ response: Response; location: string | null }> {
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) return { response, location: null };
      const next = new URL(location, current).href;
      // The hosted pages are the browser's stop: the test plays them (sign-in, consent).
      if (!next.startsWith(this.origin) || /\/(sign-in|consent|signed-out)\?|\/signed-out$/.test(next)) return { response, location: next };
      current = next;
    }
    throw new Error('Too many redirects');
  }

  /** The hosted sign-in page's step: the session cookie is set; answers where the page goes next. */
  async signIn(tenant: string, user: { email: string; password: string }, returnTo?: string): Promise<string> {
    const response = await this.fetch(`${this.origin}/t/${tenant}/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.origin },
      body: JSON.stringify({ email: user.email, password: user.password, returnTo }),
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('signed_in');
    this.csrfToken = body.csrfToken;
    return body.redirectTo;
  }

  csrfToken: string | null = null;
}

export interface Application {
  id: string;
  clientId: string;
  clientSecret: string | null;
}

export async function registerApplication(api: TestApi, tenant: string, body: Record<string, unknown>): Promise<Application> {
  const created = await api.rest('POST', '/v1/applications', { tenant, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export function relyingParty(issuer: string, app: Application): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), app.clientId, undefined, app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None(), insecure);
}

export interface AuthorizationAttempt {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<AuthorizationAttempt> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** A signed-in browser completing authorize for `config`; returns the callback URL the RP receives. */
export async function codeCallback(browser: CookieBrowser, attempt: AuthorizationAttempt): Promise<URL> {
  const { location } = await browser.navigate(attempt.url.href);
  expect(location, 'authorize should redirect to the client').toBeTruthy();
  return new URL(location!);
}

export async function newUser(api: TestApi, tenant: string, email: string): Promise<SignedInUser> {
  return signedInUser(api, { email, tenant, displayName: email.split('@')[0] });
}
