import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestApi, type SignedInUser, type TestApi } from '../src';
import { consoleTenant, expectAccessible, launchChromium, newDesktopPage, screenshot, signInInBrowser } from './console-support';

/**
 * The organization page's Domains tab in Chromium: a tenant owner claims a domain with auto-join,
 * verifies it, turns auto-join off and gives it up; an admin may claim but not verify (the button
 * disabled, and a forced verify refused 403 by the server).
 */
const T = 'console-domains';
let api: TestApi;
let browser: Browser;
let owner: SignedInUser;
let admin: SignedInUser;
let orgId: string;

beforeAll(async () => {
  api = await startTestApi({ AUTH_IP_RATE_LIMIT_PER_MINUTE: '100000' });
  const tenant = await consoleTenant(api, T);
  owner = await tenant.userWithRole('owner@domains.test', 'owner');
  admin = await tenant.userWithRole('admin@domains.test', 'admin');
  const org = await api.rest('POST', '/v1/orgs', { tenant: T, body: { name: 'Domain Co', ownerId: owner.id } });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  orgId = org.body.id;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const domainsOf = async () => (await api.rest('GET', `/v1/orgs/${orgId}/domains`, { tenant: T })).body.items as { domain: string; verified: boolean; autoJoin: boolean; id: string }[];

describe('organization domains in the console', () => {
  it('an owner adds, verifies, changes and removes a domain', async () => {
    const { context, page } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, owner);
    await page.goto(`${api.url}/admin/t/${T}/orgs/${orgId}`);
    await page.getByRole('heading', { level: 1, name: 'Domain Co' }).waitFor();
    await page.getByRole('tab', { name: 'Domains' }).click();
    await page.getByText('No domains.').waitFor();
    await page.getByRole('textbox', { name: 'Domain' }).fill('Domain-Co.test');
    await page.getByRole('checkbox', { name: 'Auto-join', exact: true }).check();
    await page.getByRole('button', { name: 'Add domain' }).click();
    const row = page.getByTestId('org-domains').getByRole('row').filter({ hasText: 'domain-co.test' });
    await row.getByText('unverified').waitFor();
    expect(await domainsOf()).toMatchObject([{ domain: 'domain-co.test', verified: false, autoJoin: true }]);

    await row.getByRole('button', { name: 'Verify domain-co.test' }).click();
    await row.getByText(/^verified/).waitFor();
    await page.mouse.move(640, 880);
    await expectAccessible(page, 'org domains');
    await screenshot(page, 'org-domains');
    // The checkbox shows the server's state: it flips once the change is saved and read back.
    const autoJoin = row.getByRole('checkbox', { name: 'Auto-join through domain-co.test' });
    await autoJoin.click();
    await expect.poll(() => autoJoin.isChecked()).toBe(false);
    expect((await domainsOf())[0]?.autoJoin).toBe(false);
    expect((await domainsOf())[0]?.verified).toBe(true);

    await row.getByRole('button', { name: 'Remove domain-co.test' }).click();
    await page.getByRole('dialog', { name: 'Remove domain-co.test' }).getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No domains.').waitFor();
    expect(await domainsOf()).toEqual([]);
    await context.close();
  });

  it('an admin claims a domain but cannot verify it: disabled, and 403 when forced', async () => {
    const { context, page } = await newDesktopPage(browser);
    await signInInBrowser(page, api, T, admin);
    await page.goto(`${api.url}/admin/t/${T}/orgs/${orgId}`);
    await page.getByRole('tab', { name: 'Domains' }).click();
    await page.getByRole('textbox', { name: 'Domain' }).fill('admin-claim.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const row = page.getByTestId('org-domains').getByRole('row').filter({ hasText: 'admin-claim.test' });
    await row.getByText('unverified').waitFor();
    await expect(row.getByRole('button', { name: 'Verify admin-claim.test' }).isDisabled()).resolves.toBe(true);
    const domainId = (await domainsOf()).find((d) => d.domain === 'admin-claim.test')!.id;
    const forced = await page.evaluate(async ({ tenant, orgId, domainId }) => {
      const session = (await (await fetch(`/t/${tenant}/session`)).json()) as { csrfToken: string };
      const res = await fetch('/trpc/orgs.verifyDomain', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plinto-tenant': tenant, 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ json: { orgId, domainId } }),
      });
      return res.status;
    }, { tenant: T, orgId, domainId });
    expect(forced).toBe(403);
    expect((await domainsOf()).find((d) => d.domain === 'admin-claim.test')?.verified).toBe(false);
    await context.close();
  });
});
