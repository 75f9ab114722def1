import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { onCleanup, startTestApi, type SignedInUser, type TestApi } from '../src';
import { ARTIFACTS, launchChromium, newDesktopPage } from './console-support';
import { newUser, registerApplication, relyingParty } from './oidc-support';

/**
 * Unmodified relying parties in headless Chromium (Debian's, driven by playwright-core), through
 * Plinto's hosted sign-in and consent pages: openid-client in a server-side web app, and
 * oidc-client-ts in a single-page app served from another loopback origin (CORS).
 */
let api: TestApi;
let issuer: string;
let ann: SignedInUser;

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  issuer = `${api.url}/t/acme`;
  ann = await newUser(api, 'acme', 'ann@acme.test');
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const html = (res: ServerResponse, body: string) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="en"><head><title>RP</title></head><body>${body}</body></html>`);
};

async function signInOnHostedPage(page: Page, user: { email: string; password: string }) {
  await page.waitForURL(/\/t\/acme\/sign-in/);
  await page.locator('input[name="email"]').fill(user.email);
  await page.locator('input[name="password"]').fill(user.password);
  await page.screenshot({ path: `${ARTIFACTS}oidc-sign-in.png`, fullPage: true });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('openid-client in a server-side web app', () => {
  it('signs in through the hosted sign-in page, reads userinfo, refreshes and logs out via end-session', async () => {
    const sessions = new Map<string, { verifier: string; state: string; nonce: string; tokens?: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers }>();
    const rp = {} as { config: oidc.Configuration };
    let origin = '';
    const sid = (req: IncomingMessage) => /rp=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
    ({ origin } = await listen(async (req, res) => {
      const url = new URL(req.url!, origin);
      if (url.pathname === '/login') {
        const id = randomUUID();
        const entry = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
        sessions.set(id, entry);
        const target = oidc.buildAuthorizationUrl(rp.config, {
          redirect_uri: `${origin}/callback`,
          scope: 'openid email profile offline_access',
          code_challenge: await oidc.calculatePKCECodeChallenge(entry.verifier),
          code_challenge_method: 'S256',
          state: entry.state,
          nonce: entry.nonce,
        });
        res.writeHead(302, { location: target.href, 'set-cookie': `rp=${id}; Path=/; HttpOnly` }).end();
      } else if (url.pathname === '/callback') {
        const entry = sessions.get(sid(req))!;
        entry.tokens = await oidc.authorizationCodeGrant(rp.config, url, { pkceCodeVerifier: entry.verifier, expectedState: entry.state, expectedNonce: entry.nonce });
        const info = await oidc.fetchUserInfo(rp.config, entry.tokens.access_token, entry.tokens.claims()!.sub);
        html(res, `<h1>Hello ${info.email}</h1>`);
      } else if (url.pathname === '/refresh') {
        const entry = sessions.get(sid(req))!;
        entry.tokens = await oidc.refreshTokenGrant(rp.config, entry.tokens!.refresh_token!);
        html(res, `<h1>Refreshed ${entry.tokens.claims()?.sub === ann.id}</h1>`);
      } else if (url.pathname === '/logout') {
        const entry = sessions.get(sid(req))!;
        res.writeHead(302, { location: oidc.buildEndSessionUrl(rp.config, { id_token_hint: entry.tokens!.id_token!, post_logout_redirect_uri: `${origin}/bye`, state: 'bye' }).href }).end();
      } else {
        html(res, `<h1>Signed out (${url.searchParams.get('state')})</h1>`);
      }
    }));
    const app = await registerApplication(api, 'acme', { name: 'Acme Web', type: 'web', firstParty: true, redirectUris: [`${origin}/callback`], postLogoutRedirectUris: [`${origin}/bye`] });
    rp.config = await relyingParty(issuer, app);

    const browser = await launchChromium();
    const { page, context } = await newDesktopPage(browser);
    await page.goto(`${origin}/login`);
    await signInOnHostedPage(page, ann);
    await page.getByRole('heading', { name: 'Hello ann@acme.test' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}oidc-web-signed-in.png` });
    await page.goto(`${origin}/refresh`);
    await page.getByRole('heading', { name: 'Refreshed true' }).waitFor();
    // The hosted pages' cookie is HttpOnly: nothing a script on Plinto's pages could read.
    const cookie = (await context.cookies(api.url)).find((c) => c.name === 'plinto_s_acme')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await page.goto(`${origin}/logout`);
    await page.getByRole('heading', { name: 'Signed out (bye)' }).waitFor();
    expect((await context.cookies(api.url)).find((c) => c.name === 'plinto_s_acme')).toBeUndefined();
    // Signed out of Plinto too: the next login asks for the password again.
    await page.goto(`${origin}/login`);
    await page.waitForURL(/\/t\/acme\/sign-in/);
  });
});

describe('oidc-client-ts in a single-page app on another origin (CORS)', () => {
  it('signs in, asks consent on the hosted consent page, and reads userinfo from the browser', async () => {
    // The library's browser build (global `oidc`), next to its module entry.
    const entry = createRequire(import.meta.url).resolve('oidc-client-ts');
    const bundle = readFileSync(join(entry.slice(0, entry.lastIndexOf('/dist/')), 'dist/browser/oidc-client-ts.min.js'), 'utf8');
    let settings = '';
    const { origin } = await listen((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/oidc-client-ts.js') {
        res.setHeader('content-type', 'text/javascript');
        return void res.end(bundle);
      }
      const script =
        url.pathname === '/callback'
          ? `new oidc.UserManager(${settings}).signinRedirectCallback().then(async (user) => {
               const info = await fetch(${JSON.stringify(`${issuer}/oauth/userinfo`)}, { headers: { authorization: 'Bearer ' + user.access_token } }).then((r) => r.json());
               document.querySelector('h1').textContent = 'Welcome ' + user.profile.email + ' / ' + info.email;
             }).catch((e) => { document.querySelector('h1').textContent = 'Failed: ' + e.message; });`
          : `document.querySelector('button').onclick = () => new oidc.UserManager(${settings}).signinRedirect();`;
      html(res, `<h1>SPA</h1><button>Sign in with Plinto</button><script src="/oidc-client-ts.js"></script><script>${script}</script>`);
    });
    const spa = await registerApplication(api, 'acme', { name: 'Budget Buddy', type: 'spa', redirectUris: [`${origin}/callback`], allowedOrigins: [origin] });
    settings = JSON.stringify({ authority: issuer, client_id: spa.clientId, redirect_uri: `${origin}/callback`, response_type: 'code', scope: 'openid email', loadUserInfo: true });

    const browser = await launchChromium();
    const { page } = await newDesktopPage(browser);
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Sign in with Plinto' }).click();
    await signInOnHostedPage(page, ann);
    // A third-party application: the hosted consent page asks.
    await page.getByRole('heading', { name: 'Budget Buddy wants to access your account' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}oidc-consent.png`, fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(new RegExp(`^${origin}/callback`));
    await page.getByRole('heading', { name: 'Welcome ann@acme.test / ann@acme.test' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}oidc-spa-signed-in.png` });
  });
});
