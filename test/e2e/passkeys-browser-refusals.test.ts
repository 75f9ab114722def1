import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, SoftAuthenticator } from '../src';
import { axeViolations } from '../src/browser';
import { ARTIFACTS, newDesktopPage } from './console-support';
import { auditOf } from './passkeys.support';
import {
  credentialsOf,
  nextStepAnswer,
  nextStepRequest,
  passwordSignIn,
  personWithPasskey,
  sessionOf,
  signOut,
  startPasskeyWeb,
  withAuthenticator,
  withoutAutofill,
  type PasskeyWeb,
} from './passkeys-browser.support';

/**
 * The passkey attacks, performed from Chromium with its virtual authenticator (Chrome DevTools
 * Protocol WebAuthn domain) on the hosted pages: the browser's genuine WebAuthn answers are
 * caught on the wire (Playwright request interception) and re-posted — replayed, or offered to a
 * ceremony they were not made for — and a cloned authenticator whose signature counter lags the
 * original's signs in. Each is refused, no session starts, and the refusal is audited. The pages
 * that show passkeys (sign-in button, account list, second-factor step) are checked with axe-core.
 */
const T = 'pkattack';
let web: PasskeyWeb;

beforeAll(async () => {
  web = await startPasskeyWeb(T);
}, 120_000);

const signInPage = (page: Page) => page.goto(`${web.base}/t/${T}/sign-in`);
const passkeyButton = (page: Page) => page.getByRole('button', { name: 'Sign in with a passkey' });

/** Replaces the body of the page's next POST to a sign-in step, as a tampered client would send it. */
async function rewriteNextStep(page: Page, step: string, rewrite: (body: Record<string, unknown>) => Record<string, unknown>) {
  const url = `**/t/${T}/session/${step}`;
  await page.route(url, (route) => route.continue({ postData: JSON.stringify(rewrite(route.request().postDataJSON())) }), { times: 1 });
}

/** Rewrites the options the page's next ceremony gets (so its authenticator signs what we choose). */
async function rewriteNextOptions(page: Page, step: string, rewrite: (body: { ceremonyId: string; options: Record<string, unknown> }) => unknown) {
  const url = `**/t/${T}/session/${step}`;
  await page.route(
    url,
    async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: rewrite(await res.json()) });
    },
    { times: 1 },
  );
}

async function expectRefusedWithAlert(page: Page, answer: Promise<{ status: number; body: any }>, expected: { status: number; code: string; reason?: string }) {
  const { status, body } = await answer;
  expect(status, JSON.stringify(body)).toBe(expected.status);
  expect(body.error.code).toBe(expected.code);
  if (expected.reason) expect(body.error.details.reason).toBe(expected.reason);
  await page.getByRole('alert').waitFor();
  expect(await sessionOf(page, T)).toBe(401);
}

const rejectedFor = async (reason: string) => (await auditOf(web.api, T, 'passkey.rejected')).filter((e) => e.data.reason === reason);

describe('passkey attacks from Chromium (virtual authenticator)', () => {
  it('a replayed assertion is refused: its ceremony is spent, and a fresh ceremony has another challenge', async () => {
    const { page } = await personWithPasskey(web, 'replay');
    await signInPage(page);
    const sent = nextStepRequest(page, T, 'passkey');
    await passkeyButton(page).click();
    const captured = (await sent).postDataJSON() as { ceremonyId: string; response: Record<string, unknown> };
    await page.waitForURL(`${web.base}/t/${T}/account`);
    await signOut(page);

    // The same request again (a captured sign-in, replayed whole): its ceremony was taken by the first answer.
    await signInPage(page);
    await rewriteNextStep(page, 'passkey', () => captured);
    let answer = nextStepAnswer(page, T, 'passkey');
    await passkeyButton(page).click();
    await expectRefusedWithAlert(page, answer, { status: 400, code: 'PASSKEY_CEREMONY_INVALID' });

    // The captured assertion under the fresh ceremony the page just started: signed over the old challenge.
    const before = (await rejectedFor('challenge_mismatch')).length;
    await signInPage(page);
    await rewriteNextStep(page, 'passkey', (body) => ({ ...body, response: captured.response }));
    answer = nextStepAnswer(page, T, 'passkey');
    await passkeyButton(page).click();
    await expectRefusedWithAlert(page, answer, { status: 401, code: 'PASSKEY_REJECTED', reason: 'challenge_mismatch' });
    expect((await rejectedFor('challenge_mismatch')).length).toBe(before + 1);
  });

  it("an assertion for a challenge issued to another ceremony is refused: a registration's, a second factor's, another browser's", async () => {
    const alice = await personWithPasskey(web, 'crossed');

    // 1. A registration ceremony (someone's account page) lends its challenge to this sign-in:
    // the browser signs it, and the sign-in ceremony refuses a challenge that is not its own…
    const mallory = await signedInUser(web.api, { email: `mallory-${Date.now().toString(36)}@pkweb.test`, tenant: T });
    const registration = async () => {
      const res = await web.api.rest('POST', '/v1/passkeys/registration-options', { token: mallory.token, tenant: T, body: {} });
      expect(res.status).toBe(200);
      return res.body as { ceremonyId: string; options: { challenge: string } };
    };
    const lent = await registration();
    await signInPage(alice.page);
    await rewriteNextOptions(alice.page, 'passkey/options', (body) => ({ ...body, options: { ...body.options, challenge: lent.options.challenge } }));
    let answer = nextStepAnswer(alice.page, T, 'passkey');
    await passkeyButton(alice.page).click();
    await expectRefusedWithAlert(alice.page, answer, { status: 401, code: 'PASSKEY_REJECTED', reason: 'challenge_mismatch' });

    // …and the registration ceremony itself, named as the sign-in's, is the wrong kind (and spent by that try).
    const named = await registration();
    await signInPage(alice.page);
    await rewriteNextOptions(alice.page, 'passkey/options', (body) => ({ ceremonyId: named.ceremonyId, options: { ...body.options, challenge: named.options.challenge } }));
    answer = nextStepAnswer(alice.page, T, 'passkey');
    await passkeyButton(alice.page).click();
    await expectRefusedWithAlert(alice.page, answer, { status: 400, code: 'PASSKEY_CEREMONY_INVALID' });
    const spent = await web.api.rest('POST', '/v1/passkeys', { token: mallory.token, tenant: T, body: { ceremonyId: named.ceremonyId, response: new SoftAuthenticator(web.base).register(named.options as never) } });
    expect(spent.body.error.code).toBe('PASSKEY_CEREMONY_INVALID');

    // 2. A second factor's ceremony: after the password, the MFA step's genuine passkey answer is
    // caught (not delivered) and offered to first-factor sign-in, which must not take it as one.
    await passwordSignIn(web, alice.page, alice.email, alice.password);
    await alice.page.waitForURL(`${web.base}/t/${T}/mfa`);
    // The body is taken inside the route handler, once it has aborted the request: unrouting after
    // the request event alone races the handler, and the answer can slip through to the server.
    let caught!: (body: { ceremonyId: string; response: Record<string, unknown> }) => void;
    const secondFactor = new Promise<Parameters<typeof caught>[0]>((resolve) => (caught = resolve));
    await alice.page.route(
      `**/t/${T}/session/mfa/passkey`,
      async (route) => {
        await route.abort();
        caught(route.request().postDataJSON());
      },
      { times: 1 },
    );
    await alice.page.getByRole('button', { name: 'Use a passkey' }).click();
    const mfaBody = await secondFactor;
    await signInPage(alice.page);
    await rewriteNextStep(alice.page, 'passkey', (body) => ({ ...body, ceremonyId: mfaBody.ceremonyId, response: mfaBody.response }));
    answer = nextStepAnswer(alice.page, T, 'passkey');
    await passkeyButton(alice.page).click();
    await expectRefusedWithAlert(alice.page, answer, { status: 400, code: 'PASSKEY_CEREMONY_INVALID' });
    // The same answer under this page's own sign-in ceremony: another challenge.
    await signInPage(alice.page);
    await rewriteNextStep(alice.page, 'passkey', (body) => ({ ...body, response: mfaBody.response }));
    answer = nextStepAnswer(alice.page, T, 'passkey');
    await passkeyButton(alice.page).click();
    await expectRefusedWithAlert(alice.page, answer, { status: 401, code: 'PASSKEY_REJECTED', reason: 'challenge_mismatch' });

    // 3. Another browser's ceremony: Bob's page starts a sign-in; Alice's genuine answer to her
    // own ceremony is posted under Bob's ceremony id. Refused, and Bob's ceremony is spent.
    const { page: bob } = await newDesktopPage(web.browser);
    await bob.goto(`${web.base}/t/${T}/sign-in`);
    const bobs = (await bob.evaluate(async (slug) => (await fetch(`/t/${slug}/session/passkey/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json(), T)) as { ceremonyId: string };
    await signInPage(alice.page);
    await rewriteNextStep(alice.page, 'passkey', (body) => ({ ...body, ceremonyId: bobs.ceremonyId }));
    answer = nextStepAnswer(alice.page, T, 'passkey');
    await passkeyButton(alice.page).click();
    await expectRefusedWithAlert(alice.page, answer, { status: 401, code: 'PASSKEY_REJECTED', reason: 'challenge_mismatch' });
    const bobAgain = await bob.evaluate(async ([slug, id]) => (await fetch(`/t/${slug}/session/passkey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ceremonyId: id, response: { id: 'x' } }) })).json(), [T, bobs.ceremonyId] as const);
    expect(bobAgain.error.code).toBe('PASSKEY_CEREMONY_INVALID');

    // Untouched, the same browser and passkey sign in.
    await signInPage(alice.page);
    await passkeyButton(alice.page).click();
    await alice.page.waitForURL(`${web.base}/t/${T}/account`);
  });

  it('a cloned authenticator whose signature counter lags is refused and audited; the original signs in on', async () => {
    const { page, authenticator } = await personWithPasskey(web, 'clone');
    // Two sign-ins move the original's counter on.
    for (let i = 0; i < 2; i++) {
      await signInPage(page);
      await passkeyButton(page).click();
      await page.waitForURL(`${web.base}/t/${T}/account`);
      await signOut(page);
    }
    const [credential] = await credentialsOf(authenticator);
    expect(credential!.signCount).toBeGreaterThan(1);

    // The clone: the same private key in another browser's authenticator, its counter from the start.
    const { page: clonePage } = await newDesktopPage(web.browser);
    await withoutAutofill(clonePage);
    const clone = await withAuthenticator(clonePage);
    await clone.cdp.send('WebAuthn.addCredential', { authenticatorId: clone.authenticatorId, credential: { ...credential!, signCount: 0 } });
    await signInPage(clonePage);
    const answer = nextStepAnswer(clonePage, T, 'passkey');
    await passkeyButton(clonePage).click();
    await expectRefusedWithAlert(clonePage, answer, { status: 401, code: 'PASSKEY_REJECTED', reason: 'counter_regression' });
    const regressed = await auditOf(web.api, T, 'passkey.counter_regressed');
    const event = regressed.find((e) => (e.data.presentedCounter as number) < (e.data.storedCounter as number));
    expect(event).toMatchObject({ outcome: 'failure', data: { storedCounter: credential!.signCount } });

    // The genuine authenticator, moving on, still signs in.
    await signInPage(page);
    await passkeyButton(page).click();
    await page.waitForURL(`${web.base}/t/${T}/account`);
    expect(await sessionOf(page, T)).toMatchObject({ amr: ['hwk', 'mfa'] });
  });
});

describe('the pages that show passkeys are accessible (axe-core)', () => {
  it('sign-in with the passkey button, the account page listing passkeys, the second-factor step', async () => {
    const person = await personWithPasskey(web, 'axe');
    const { page } = person;
    const check = async (name: string) => {
      await page.screenshot({ path: `${ARTIFACTS}passkeys-${name}.png`, fullPage: true });
      expect(await axeViolations(page), name).toEqual([]);
    };
    await signInPage(page);
    await passkeyButton(page).waitFor();
    await check('sign-in');

    await passwordSignIn(web, page, person.email, person.password);
    await page.waitForURL(`${web.base}/t/${T}/mfa`);
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    await check('second-factor');

    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${web.base}/t/${T}/account`);
    await page.locator('[data-passkey-id]').first().waitFor();
    expect(await page.locator('[data-passkey-id]').count()).toBe(1);
    await check('account-list');

    // A refusal on screen (the alert) is accessible too.
    await signOut(page);
    const { page: presenceOnly } = await newDesktopPage(web.browser);
    await withoutAutofill(presenceOnly);
    await withAuthenticator(presenceOnly, { isUserVerified: false });
    await presenceOnly.goto(`${web.base}/t/${T}/sign-in`);
    await passkeyButton(presenceOnly).click();
    await presenceOnly.getByRole('alert').waitFor();
    await presenceOnly.screenshot({ path: `${ARTIFACTS}passkeys-sign-in-refused.png`, fullPage: true });
    expect(await axeViolations(presenceOnly), 'sign-in refused').toEqual([]);
  });
});
