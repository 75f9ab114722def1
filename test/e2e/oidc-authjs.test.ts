import type { Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { ExpressAuth, getSession, type ExpressAuthConfig } from '@auth/express';
import { onCleanup, startTestApi, type SignedInUser, type TestApi } from '../src';
import { ARTIFACTS, launchChromium, newDesktopPage } from './console-support';
import { newUser, registerApplication } from './oidc-support';

/**
 * Auth.js (@auth/express), unmodified, as a third relying party: Plinto configured as a generic
 * OpenID Connect provider by its issuer alone (discovery), client_secret_basic, PKCE + state +
 * nonce, signing a user in through the hosted sign-in page in Chromium. The application is
 * registered with EdDSA ID tokens, and Auth.js told so (`client.id_token_signed_response_alg`): it
 * refuses an ID token of any other algorithm, so the sign-in succeeding shows the EdDSA one was taken.
 */
let api: TestApi;
let ann: SignedInUser;

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.rest('POST', '/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).status).toBe(201);
  ann = await newUser(api, 'acme', 'ann@acme.test');
});

describe('Auth.js with Plinto as its OpenID Connect provider', () => {
  it('signs in through the hosted sign-in page and holds an Auth.js session for the Plinto user', async () => {
    const app = express();
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = await registerApplication(api, 'acme', { name: 'Auth.js app', type: 'web', firstParty: true, redirectUris: [`${origin}/auth/callback/plinto`], idTokenSignedResponseAlg: 'EdDSA' });
    const config: ExpressAuthConfig = {
      trustHost: true,
      secret: 'an Auth.js secret for this test only, 32+ chars',
      providers: [
        {
          id: 'plinto',
          name: 'Plinto',
          type: 'oidc',
          issuer: `${api.url}/t/acme`,
          clientId: client.clientId,
          clientSecret: client.clientSecret!,
          checks: ['pkce', 'state', 'nonce'],
          client: { id_token_signed_response_alg: 'EdDSA' },
          authorization: { params: { scope: 'openid email profile' } },
        },
      ],
    };
    app.set('trust proxy', true);
    app.use('/auth', ExpressAuth(config));
    app.get('/', async (req, res) => {
      const session = await getSession(req, config);
      res.type('html').send(`<!doctype html><html lang="en"><head><title>Auth.js</title></head><body><h1>${session?.user?.email ? `Session for ${session.user.email}` : 'No session'}</h1></body></html>`);
    });

    const browser = await launchChromium();
    const { page } = await newDesktopPage(browser);
    await page.goto(`${origin}/auth/signin?callbackUrl=${encodeURIComponent(`${origin}/`)}`);
    await page.getByRole('button', { name: /Plinto/ }).click();
    await page.waitForURL(/\/t\/acme\/sign-in/);
    await page.locator('input[name="email"]').fill(ann.email);
    await page.locator('input[name="password"]').fill(ann.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Session for ann@acme.test' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}oidc-authjs-signed-in.png` });
  });
});
