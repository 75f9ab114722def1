import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { expect } from 'vitest';
import { signedInUser, signedInUserWithRole, type TestApi } from '../src';

// Debian's Chromium, headless, closed when the file ends; screenshots in test-artifacts/ (one launcher for every browser test).
import { ARTIFACTS, axeViolations, BROWSER_WAIT_MS, startBrowser } from '../src/browser';
export { ARTIFACTS, BROWSER_WAIT_MS, startBrowser as launchChromium };

export async function newDesktopPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

/** A tenant with its own users, made by the platform operator over REST. */
export async function consoleTenant(api: TestApi, slug: string) {
  const created = await api.rest('POST', '/v1/tenants', { body: { slug, name: `${slug} Inc` } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const userWithRole = (email: string, role: string | null) => (role ? signedInUserWithRole(api, slug, email, role) : signedInUser(api, { email, tenant: slug }));
  return { slug, tenantId: created.body.id as string, userWithRole };
}

/**
 * Signs the browser in as a person does: the console offers "Sign in", which opens the hosted
 * sign-in page (`/t/{tenant}/sign-in?return_to=/admin/t/{tenant}`); after the password it comes
 * back to the console with the HttpOnly session cookie set — no credential readable by scripts.
 */
export async function signInInBrowser(page: Page, api: TestApi, tenant: string, user: { email: string; password: string }): Promise<void> {
  await page.goto(`${api.url}/admin/t/${tenant}`);
  await page.getByRole('link', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/t/${tenant}/sign-in`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname.startsWith(`/admin/t/${tenant}`));
  await page.getByTestId('signed-in-as').filter({ hasText: user.email }).waitFor();
}

/** axe-core in the page: no serious or critical violation. Evaluated over DevTools, so the console's CSP stays untouched. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = (await axeViolations(page)).map((v) => ({ ...v, nodes: v.nodes.slice(0, 3) }));
  expect(violations, `axe on ${screen}`).toEqual([]);
}

/**
 * Answers the open confirmation dialog with Confirm and waits until the dialog is gone: while it
 * fades out its overlay still takes clicks meant for the page beneath (seen on a loaded machine: a
 * forced click on a switch landed on the overlay and changed nothing).
 */
export async function confirmInDialog(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'detached' });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}console-${name}.png`, fullPage: true });
}

/**
 * The page's requests that have no answer yet. Not Playwright's `networkidle`: the console reads
 * only the status of its operator-session probe (a 401 for a tenant admin) and leaves the body, so
 * Chromium counts that request as loading for as long as the page lives, and `networkidle` cost its
 * whole timeout on nearly every visit. An answered request is one the page's code can act on.
 */
interface PageRequests {
  unanswered: Set<Request>;
  lastChange: number;
}
const tracked = new WeakMap<Page, PageRequests>();
function trackRequests(page: Page): PageRequests {
  let requests = tracked.get(page);
  if (!requests) {
    const state: PageRequests = { unanswered: new Set(), lastChange: Date.now() };
    const change = (request: Request, open: boolean) => {
      if (open) state.unanswered.add(request);
      else state.unanswered.delete(request);
      state.lastChange = Date.now();
    };
    page.on('request', (request) => change(request, true));
    page.on('response', (response) => change(response.request(), false));
    page.on('requestfailed', (request) => change(request, false));
    tracked.set(page, state);
    requests = state;
  }
  return requests;
}

/**
 * Waits until every request of the page has been answered and none started or ended for `quietMs`
 * (what `networkidle` means), so a screen's dependent queries have landed and rendered. A page that
 * keeps a request unanswered is checked as it stands after `ceilingMs`.
 */
async function requestsSettled(page: Page, quietMs = 500, ceilingMs = 10_000): Promise<void> {
  const requests = trackRequests(page);
  const deadline = Date.now() + ceilingMs;
  while (Date.now() < deadline) {
    if (requests.unanswered.size === 0 && Date.now() - requests.lastChange >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Visits a screen: waits for its heading, checks accessibility, keeps a screenshot. */
export async function visitScreen(page: Page, url: string, heading: string | RegExp, name: string): Promise<void> {
  trackRequests(page);
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  // Let the screen's queries settle so axe sees its tables.
  await requestsSettled(page);
  await expectAccessible(page, name);
  await screenshot(page, name);
}

/** What web storage holds: the console keeps nothing there (no token, no CSRF token). */
export async function webStorage(page: Page): Promise<{ local: Record<string, string>; session: Record<string, string> }> {
  return page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
}
